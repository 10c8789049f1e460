package io.lhttp.image;

import static io.lhttp.image.Manifests.at;
import static io.lhttp.image.Manifests.list;
import static io.lhttp.image.Manifests.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The container deployment files, checked offline as far as this build can (no cluster and no
 * registry here): the Dockerfile's port and probe, compose.yaml's services and settings, the
 * Kubernetes manifests' probes, ports, grace period and settings. Every LHTTP_… variable they set
 * must be a key of the configuration table (docs/CONFIGURATION.md). That the probe paths answer from the running
 * image is ContainerImageIT's part.
 */
class DeploymentFilesTest {

    static final Path BASE = Manifests.BASE;
    /** MicroProfile Config's environment form of a key: lhttp.jetstream.max-pending → LHTTP_JETSTREAM_MAX_PENDING. */
    static String env(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    static Map<String, String> documentedEnv() throws Exception {
        Map<String, String> keys = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `(lhttp\\.[^`]+)` \\|")
                .matcher(Files.readString(BASE.resolve("docs/CONFIGURATION.md"), StandardCharsets.UTF_8));
        while (row.find()) keys.put(env(row.group(1)), row.group(1));
        assertTrue(keys.containsKey("LHTTP_PUBLISH_TOKEN") && keys.size() > 30, keys::toString);
        return keys;
    }

    static String dockerfile() throws Exception {
        return Files.readString(BASE.resolve("Dockerfile"), StandardCharsets.UTF_8);
    }

    static int exposedPort() throws Exception {
        Matcher m = Pattern.compile("(?m)^EXPOSE (\\d+)$").matcher(dockerfile());
        assertTrue(m.find(), "EXPOSE in the Dockerfile");
        return Integer.parseInt(m.group(1));
    }

    @Test
    void dockerfileRunsAsNonRootWithMemoryFlagsAnExecEntrypointAndAJavaHealthCheck() throws Exception {
        String d = dockerfile();
        assertTrue(d.contains("ARG BASE_IMAGE=eclipse-temurin:17-jre\nFROM ${BASE_IMAGE}\n"), "BASE_IMAGE");
        assertTrue(d.contains("\nUSER 10001:10001\n"), "non-root");
        assertTrue(d.contains("-XX:MaxRAMPercentage=") && d.contains("-XX:+ExitOnOutOfMemoryError"), "JVM flags");
        assertTrue(
                d.contains("\nENTRYPOINT [\"java\", \"-jar\", \"/opt/lhttp/lhttp.jar\"]\n"),
                "exec form: java is PID 1");
        assertTrue(
                Pattern.compile("(?m)^\\s*CMD \\[\"java\".*\"io\\.lhttp\\.image\\.HealthCheck\"\\]$")
                        .matcher(d)
                        .find(),
                "HEALTHCHECK with java only");
        assertTrue(!Pattern.compile("(?m)^RUN ").matcher(d).find(), "no RUN: any image with java works as the base");
        assertEquals(8080, exposedPort());
        assertEquals(
                "http://127.0.0.1:" + exposedPort() + "/health/ready",
                HealthCheck.DEFAULT_URL,
                "what HEALTHCHECK asks");
    }

    @Test
    void composeHasThreeInstancesOverThreeJetStreamNodesBehindOneBalancer() throws Exception {
        Map<String, Object> compose = Manifests.document(BASE.resolve("compose.yaml"));
        Map<String, Object> services = map(compose.get("services"));
        assertEquals(Set.of("nats-1", "nats-2", "nats-3", "lhttp-1", "lhttp-2", "lhttp-3", "lb"), services.keySet());
        Map<String, String> documented = documentedEnv();
        for (int i = 1; i <= 3; i++) {
            Map<String, Object> lhttp = map(services.get("lhttp-" + i));
            assertEquals("Dockerfile", at(lhttp, "build", "dockerfile"));
            Map<String, Object> env = map(lhttp.get("environment"));
            for (String name : env.keySet()) {
                assertTrue(
                        documented.containsKey(name), name + " (lhttp-" + i + ") is no key of the configuration table");
            }
            assertEquals("3", env.get("LHTTP_JETSTREAM_REPLICAS"), "history replicated 3 times");
            assertEquals("lhttp-" + i, env.get("LHTTP_INSTANCE_NAME"));
            String nats = String.valueOf(env.get("LHTTP_NATS_URL"));
            for (int n = 1; n <= 3; n++) assertTrue(nats.contains("nats://nats-" + n + ":4222"), nats);
            assertTrue(String.valueOf(env.get("LHTTP_HISTORY_CHANNELS")).contains("chatroom"), "the demo's room");
            long drainS = Long.parseLong(String.valueOf(env.get("LHTTP_SHUTDOWN_DRAIN_MS"))) / 1000;
            assertTrue(seconds(String.valueOf(lhttp.get("stop_grace_period"))) >= drainS + 10, "grace > drain");
        }
        String natsConf = Files.readString(BASE.resolve("server-config/nats/compose.conf"), StandardCharsets.UTF_8);
        assertTrue(natsConf.contains("jetstream"), "JetStream on");
        for (int n = 1; n <= 3; n++) {
            List<Object> command = list(map(services.get("nats-" + n)).get("command"));
            assertEquals(List.of("nats-server", "--config", "/etc/nats/compose.conf", "--name", "nats-" + n), command);
            assertTrue(natsConf.contains("nats-route://nats-" + n + ":6222"), "route to nats-" + n);
            assertVolumesExist(map(services.get("nats-" + n)));
        }
        Map<String, Object> lb = map(services.get("lb"));
        assertEquals(List.of("8080:80"), lb.get("ports"), "the chat demo on http://localhost:8080/");
        assertVolumesExist(lb);
        String nginx = Files.readString(BASE.resolve("server-config/compose/nginx.conf"), StandardCharsets.UTF_8);
        for (int i = 1; i <= 3; i++) assertTrue(nginx.contains("server lhttp-" + i + ":" + exposedPort()), nginx);
        assertTrue(nginx.contains("proxy_set_header Upgrade $http_upgrade;"), "WebSockets pass");
    }

    private static void assertVolumesExist(Map<String, Object> service) {
        for (Object v : list(service.get("volumes"))) {
            String host = String.valueOf(v).split(":")[0];
            assertTrue(Files.isRegularFile(BASE.resolve(host)), "mounted file exists: " + host);
        }
    }

    private static long seconds(String duration) {
        assertTrue(duration.matches("\\d+s"), duration);
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }

    @Test
    void kubernetesProbesUseTheHealthEndpointsOnTheImagesPort() throws Exception {
        List<Manifests.Probe> probes = Manifests.probes();
        assertEquals(
                List.of("startupProbe", "readinessProbe", "livenessProbe"),
                probes.stream().map(Manifests.Probe::kind).toList());
        Set<String> paths = new TreeSet<>();
        for (Manifests.Probe p : probes) {
            assertEquals(exposedPort(), p.port(), p.toString());
            paths.add(p.path());
        }
        assertEquals(Set.of("/health/ready", "/health/live"), paths);
        assertEquals("/health/ready", probes.get(1).path(), "readiness follows NATS");
        // The Service sends to the same named port.
        Map<String, Object> port =
                map(list(at(Manifests.k8s("Service"), "spec", "ports")).get(0));
        assertEquals("http", port.get("targetPort"));
    }

    @Test
    void kubernetesGracePeriodCoversPreStopAndDrain() throws Exception {
        Map<String, Object> pod = map(at(Manifests.k8s("Deployment"), "spec", "template", "spec"));
        Map<String, Object> c = Manifests.container();
        int grace = (Integer) pod.get("terminationGracePeriodSeconds");
        int preStop = (Integer) at(c, "lifecycle", "preStop", "sleep", "seconds");
        long drainMs = 0;
        for (Object e : list(c.get("env"))) {
            if ("LHTTP_SHUTDOWN_DRAIN_MS".equals(map(e).get("name")))
                drainMs = Long.parseLong(String.valueOf(map(e).get("value")));
        }
        assertTrue(drainMs > 0, "the drain is set explicitly");
        // Payara's own stop after the drain took < 5 s in ContainerImageIT; 10 s of margin.
        assertTrue(
                grace >= preStop + drainMs / 1000 + 10,
                "grace " + grace + " s < preStop " + preStop + " + drain " + drainMs);
    }

    @Test
    void kubernetesResourcesMatchTheSelectorsAndSettingsAreDocumented() throws Exception {
        Map<String, Object> deployment = Manifests.k8s("Deployment");
        Object labels = at(deployment, "spec", "template", "metadata", "labels");
        assertEquals(labels, at(deployment, "spec", "selector", "matchLabels"));
        assertEquals(labels, at(Manifests.k8s("Service"), "spec", "selector"));
        assertEquals(labels, at(Manifests.k8s("PodDisruptionBudget"), "spec", "selector", "matchLabels"));
        assertEquals(1, at(Manifests.k8s("PodDisruptionBudget"), "spec", "maxUnavailable"));
        Map<String, Object> c = Manifests.container();
        assertEquals("512Mi", at(c, "resources", "limits", "memory"));
        assertEquals(10001, at(deployment, "spec", "template", "spec", "securityContext", "runAsUser"));
        Map<String, String> documented = documentedEnv();
        for (Object e : list(c.get("env"))) {
            String name = String.valueOf(map(e).get("name"));
            assertTrue(documented.containsKey(name), name + " is no key of the configuration table");
        }
        // NATS is the official chart's, referenced, not vendored: no NATS resource here.
        for (String kind : List.of("StatefulSet", "ConfigMap")) {
            try {
                Manifests.k8s(kind);
                throw new AssertionError("a " + kind + " in server-config/k8s: NATS comes from its Helm chart");
            } catch (IllegalStateException expected) {
                // none
            }
        }
        assertTrue(Files.readString(Manifests.K8S.resolve("nats-values.yaml")).contains("jetstream"));
    }
}
