package io.lhttp.image;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files read as data: {@code compose.yaml} and {@code server-config/k8s/*.yaml}.
 * Shared by DeploymentFilesTest (structure) and ContainerImageIT (their probes against the image).
 */
public final class Manifests {

    public static final Path BASE = Path.of(System.getProperty("project.basedir", "."));
    public static final Path K8S = BASE.resolve("server-config/k8s");

    /** One HTTP probe of the Deployment: which one, its path and the container port it names. */
    public record Probe(String kind, String path, int port) {}

    private Manifests() {}

    /** Every YAML document of the file, as maps. */
    public static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Object doc : new Yaml(new LoaderOptions()).loadAll(in)) {
                if (doc != null) docs.add(map(doc));
            }
        }
        return docs;
    }

    public static Map<String, Object> document(Path file) throws IOException {
        List<Map<String, Object>> docs = documents(file);
        if (docs.size() != 1) throw new IllegalStateException(file + ": " + docs.size() + " documents, expected 1");
        return docs.get(0);
    }

    /** The first document of this kind among the kustomization's resources. */
    public static Map<String, Object> k8s(String kind) throws IOException {
        for (Object resource : list(document(K8S.resolve("kustomization.yaml")).get("resources"))) {
            for (Map<String, Object> doc : documents(K8S.resolve(String.valueOf(resource)))) {
                if (kind.equals(doc.get("kind"))) return doc;
            }
        }
        throw new IllegalStateException("no " + kind + " in " + K8S);
    }

    /** The Deployment's only container. */
    public static Map<String, Object> container() throws IOException {
        List<Object> containers = list(at(k8s("Deployment"), "spec", "template", "spec", "containers"));
        if (containers.size() != 1) throw new IllegalStateException("expected one container: " + containers);
        return map(containers.get(0));
    }

    /** The startup, readiness and liveness probes, their named ports resolved to numbers. */
    public static List<Probe> probes() throws IOException {
        Map<String, Object> c = container();
        List<Probe> probes = new ArrayList<>();
        for (String kind : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            Object probe = c.get(kind);
            if (probe == null) continue;
            Map<String, Object> get = map(map(probe).get("httpGet"));
            probes.add(new Probe(kind, String.valueOf(get.get("path")), containerPort(c, get.get("port"))));
        }
        return probes;
    }

    static int containerPort(Map<String, Object> container, Object port) {
        if (port instanceof Integer n) return n;
        for (Object p : list(container.get("ports"))) {
            if (String.valueOf(port).equals(map(p).get("name"))) return (Integer) map(p).get("containerPort");
        }
        throw new IllegalStateException("no container port named " + port);
    }

    /** The value at this path of map keys; fails naming the path when one is missing. */
    public static Object at(Map<String, Object> root, String... keys) {
        Object here = root;
        for (String k : keys) {
            here = map(here).get(k);
            if (here == null) throw new IllegalStateException("missing " + String.join(".", keys) + " (at " + k + ")");
        }
        return here;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object o) {
        if (!(o instanceof Map)) throw new IllegalStateException("not a mapping: " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object o) {
        if (!(o instanceof List)) throw new IllegalStateException("not a list: " + o);
        return (List<Object>) o;
    }
}
