package io.lhttp.metrics;

import io.lhttp.meters.Meters;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Counts {@code POST /publish} answers by status ({@code lhttp_http_publish_total{status=…}}), outside the resource. */
@WebFilter(filterName = "lhttp-publish-metrics", urlPatterns = "/publish/*")
public class PublishStatusCounter implements jakarta.servlet.Filter {

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            chain.doFilter(request, response);
        } finally {
            Meters.httpPublish(((HttpServletResponse) response).getStatus());
        }
    }
}
