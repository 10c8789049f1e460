package io.lhttp.web;

import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The chat demo at the context root, beside the WebSocket endpoint at the same URL.
 *
 * <p>Why a servlet: WildFly (Undertow) and TomEE (Tomcat) turn a request for the context root
 * into a request for the welcome file before the WebSocket upgrade filter sees it, so an upgrade
 * at {@code ws://host/} would reach {@code /index.html} and be answered 200. The empty pattern is
 * the Servlet specification's exact mapping of the context root (§12.2): it wins over the
 * welcome-file lookup, the upgrade filter sees {@code /} and takes the upgrade, and a plain
 * {@code GET /} is forwarded here to the page. Payara (Grizzly/Tyrus) behaves the same with or
 * without it. The one container difference of this kind, kept in one place (DESIGN.md).
 */
@WebServlet(name = "lhttp-root-page", urlPatterns = "")
public class RootPage extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The demo page; its query string (room, nick) is read by the page itself. */
    static final String PAGE = "/index.html";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        request.getRequestDispatcher(PAGE).forward(request, response);
    }
}
