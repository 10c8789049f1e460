package io.lhttp.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A WAR deployed as {@code ROOT.war} to WildFly or TomEE, as a child process on free loopback ports:
 * what a user gets by dropping {@code target/lhttp.war} into a freshly unpacked server.
 *
 * <pre>{@code
 * try (ContainerServer server = ContainerServer.builder(Kind.WILDFLY).jvmOption("-Dlhttp.send-queue=64").start()) {
 *     connect(server.wsUri());
 * }
 * }</pre>
 *
 * The distributions are unpacked once by the build into {@code target/servers/} (the
 * {@code containers} execution of maven-dependency-plugin, in pre-integration-test). Each instance
 * runs on its own copy of the server's writable part ({@code standalone/} for WildFly,
 * {@code conf/ webapps/ logs/ temp/ work/} for TomEE) under {@code target/containers/}; the
 * read-only part (modules, libraries) is shared. So two instances never share state, and each
 * test class can start its own. Every port the server opens is a {@link Ports#free()} port on
 * 127.0.0.1.
 *
 * <p>The server counts as started when the application answers: {@code GET /} returns the chat
 * page and a WebSocket at {@code /} echoes a frame. Both containers log "started" even when the
 * deployment failed, and before the fix in {@code io.lhttp.web.RootPage} the page answered while
 * the upgrade did not. Output goes to {@code target/containers/<kind>-<port>.log}, whose tail is in
 * the exception when the start fails.
 */
public final class ContainerServer extends ServerProcess {

    /** The servers the WAR is tested on, with where each serves MicroProfile Health. */
    public enum Kind {
        /** WildFly 39, {@code standalone-microprofile.xml}; health on the management port. */
        WILDFLY("wildfly-"),
        /** TomEE 9 MicroProfile (Tomcat 10.0); health under the JAX-RS application path. */
        TOMEE("apache-tomee-microprofile-");

        private final String directoryPrefix;

        Kind(String directoryPrefix) {
            this.directoryPrefix = directoryPrefix;
        }
    }

    /** Cold boot is ~10 s on an idle machine; a loaded 2-core one running Payara beside it takes longer. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(300);
    /** How long the page may answer while the WebSocket upgrade at / does not, before the start fails. */
    static final Duration UPGRADE_GRACE = Duration.ofSeconds(30);
    /** SIGTERM lets the server undeploy and stop cleanly; a forced kill only if it hangs. */
    public static final Duration STOP_TIMEOUT = ServerProcess.STOP_TIMEOUT;

    private final Kind kind;
    private final Path home;
    private final Path war;
    private final List<String> jvmOptions;
    private final Duration startTimeout;
    private final int port;
    private final int managementPort;
    private final Path instance;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ContainerServer(Builder b, int port) {
        super(targetDir().resolve("containers").resolve(name(b.kind, port) + ".log"));
        this.kind = b.kind;
        this.home = Objects.requireNonNullElseGet(b.home, () -> unpacked(b.kind));
        this.war = Objects.requireNonNullElseGet(b.war, ContainerServer::defaultWar);
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.startTimeout = b.startTimeout;
        this.port = port;
        this.managementPort = kind == Kind.WILDFLY ? Ports.free() : -1;
        this.instance = targetDir().resolve("containers").resolve(name(kind, port));
    }

    private static String name(Kind kind, int port) {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + port;
    }

    public static Builder builder(Kind kind) {
        return new Builder(kind);
    }

    /** Starts {@code target/lhttp.war} on this server with these JVM options (e.g. {@code -Dlhttp.publish.token=x}). */
    public static ContainerServer start(Kind kind, String... jvmOptions) {
        Builder b = builder(kind);
        for (String option : jvmOptions) b.jvmOption(option);
        return b.start();
    }

    public Kind kind() {
        return kind;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:port/} */
    public URI httpUri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** {@code ws://127.0.0.1:port/}: the LHTTP endpoint. */
    public URI wsUri() {
        return URI.create("ws://127.0.0.1:" + port + "/");
    }

    /**
     * MicroProfile Health readiness, where this server serves it: WildFly on its management port
     * ({@code /health/ready}), TomEE under the WAR's JAX-RS application path ({@code /publish/health/ready}).
     */
    public URI healthReadyUri() {
        return kind == Kind.WILDFLY
                ? URI.create("http://127.0.0.1:" + managementPort + "/health/ready")
                : httpUri().resolve("/publish/health/ready");
    }

    /**
     * SIGTERM to the server and its launcher script, then wait; a forced kill only if it hangs.
     * Then removes the instance's copy. Idempotent.
     */
    public void stop() {
        stopProcess();
        deleteRecursively(instance);
    }

    @Override
    public void close() {
        stop();
    }

    private ContainerServer launch() {
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException(war + " does not exist: run `mvn package` (or `mvn verify`) first");
        }
        List<String> command = new ArrayList<>();
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Process started;
        try {
            deleteRecursively(instance);
            Files.createDirectories(instance);
            if (kind == Kind.WILDFLY) {
                prepareWildFly(command, env);
            } else {
                prepareTomEE(command, env);
            }
            started = startProcess(
                    builder,
                    "  ("
                            + (kind == Kind.WILDFLY
                                    ? "JAVA_OPTS=" + env.get("JAVA_OPTS")
                                    : "CATALINA_OPTS=" + env.get("CATALINA_OPTS"))
                            + ")" + System.lineSeparator(),
                    false);
        } catch (IOException e) {
            deleteRecursively(instance);
            throw new UncheckedIOException("cannot start " + kind + " from " + home, e);
        }
        try {
            awaitReady(started);
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
        return this;
    }

    /**
     * {@code bin/standalone.sh -c standalone-microprofile.xml} with {@code jboss.server.base.dir} on
     * this instance's copy of {@code standalone/}; every socket binding that opens a port by default
     * moved to a free one, public and management interfaces on 127.0.0.1, and WildFly's
     * {@code /openapi} kept to this host as {@code server-config/wildfly.sh} does ({@link #wildflyConfig}).
     */
    private void prepareWildFly(List<String> command, Map<String, String> env) throws IOException {
        copyRecursively(home.resolve("standalone"), instance);
        Files.copy(war, instance.resolve("deployments").resolve("ROOT.war"), StandardCopyOption.REPLACE_EXISTING);
        Path config = instance.resolve("configuration").resolve("standalone-microprofile.xml");
        Files.writeString(config, wildflyConfig(Files.readString(config), operatorOnlyFilter()));
        command.add("sh"); // the script's own interpreter (Maven's unpack does not keep every x bit)
        command.add(home.resolve("bin").resolve("standalone.sh").toString());
        command.add("-c");
        command.add("standalone-microprofile.xml");
        command.add("-Djboss.server.base.dir=" + instance);
        command.add("-Djboss.bind.address=127.0.0.1");
        command.add("-Djboss.bind.address.management=127.0.0.1");
        command.add("-Djboss.http.port=" + port);
        command.add("-Djboss.https.port=" + Ports.free());
        command.add("-Djboss.management.http.port=" + managementPort);
        command.add("-Djboss.management.https.port=" + Ports.free());
        command.add("-Djboss.ajp.port=" + Ports.free());
        // The script runs the JVM as its child and forwards SIGTERM to it only in this mode.
        env.put("LAUNCH_JBOSS_IN_BACKGROUND", "true");
        // Setting JAVA_OPTS replaces standalone.conf's defaults: keep them, then ours.
        env.put(
                "JAVA_OPTS",
                String.join(
                        " ",
                        "-Xms64m -Xmx512m -Djava.net.preferIPv4Stack=true",
                        "-Djboss.modules.system.pkgs=org.jboss.byteman -Djava.awt.headless=true",
                        String.join(" ", jvmOptions)));
    }

    /**
     * {@code bin/catalina.sh run} (which execs the JVM) with {@code CATALINA_BASE} on this
     * instance's copy of {@code conf/} and an {@code webapps/} holding only ROOT.war (the default
     * ROOT, docs and manager apps are left out). In server.xml: the HTTP connector on a free port
     * and 127.0.0.1, the shutdown port off (-1: stopped by SIGTERM), no AJP connector.
     */
    private void prepareTomEE(List<String> command, Map<String, String> env) throws IOException {
        copyRecursively(home.resolve("conf"), instance.resolve("conf"));
        for (String dir : new String[] {"webapps", "logs", "temp", "work"}) {
            Files.createDirectories(instance.resolve(dir));
        }
        Files.copy(war, instance.resolve("webapps").resolve("ROOT.war"), StandardCopyOption.REPLACE_EXISTING);
        Path serverXml = instance.resolve("conf").resolve("server.xml");
        Files.writeString(serverXml, tomeeServerXml(Files.readString(serverXml), port));
        command.add("sh");
        command.add(home.resolve("bin").resolve("catalina.sh").toString());
        command.add("run");
        env.put("CATALINA_HOME", home.toString());
        env.put("CATALINA_BASE", instance.toString());
        env.put("CATALINA_OPTS", String.join(" ", "-Xmx512m", String.join(" ", jvmOptions)));
    }

    /**
     * WildFly's configuration with the Undertow expression filter of
     * {@code server-config/wildfly-operator-only.txt} on the default host, as
     * {@code server-config/wildfly.sh} installs it: WildFly's own {@code /openapi} for this host only.
     */
    static String wildflyConfig(String xml, String expression) {
        String host = "<host name=\"default-host\" alias=\"localhost\">";
        String container = "</servlet-container>";
        if (!xml.contains(host) || !xml.contains(container) || expression.contains("\"")) {
            throw new IllegalStateException("cannot add the lhttp-operator-only filter to WildFly's configuration");
        }
        return xml.replaceFirst(
                        java.util.regex.Pattern.quote(host),
                        java.util.regex.Matcher.quoteReplacement(host + "<filter-ref name=\"lhttp-operator-only\"/>"))
                .replaceFirst(
                        java.util.regex.Pattern.quote(container),
                        java.util.regex.Matcher.quoteReplacement(
                                container + "<filters><expression-filter name=\"lhttp-operator-only\" expression=\""
                                        + expression + "\"/></filters>"));
    }

    /** The predicate in {@code server-config/wildfly-operator-only.txt}: its one line that is not a comment. */
    static String operatorOnlyFilter() throws IOException {
        Path file = targetDir().getParent().resolve("server-config").resolve("wildfly-operator-only.txt");
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no filter in " + file));
    }

    /** TomEE's server.xml with every port it would open moved: see {@link #prepareTomEE}. */
    static String tomeeServerXml(String xml, int httpPort) {
        String out = xml.replaceFirst("<Server port=\"\\d+\"", "<Server port=\"-1\"")
                // AJP is commented out in TomEE 9's file; a distribution that enables it must not open 8009.
                .replaceAll("(?s)<Connector[^>]*protocol=\"AJP[^>]*/>", "")
                .replaceAll("(?s)<Connector port=\"8443\"[^>]*>.*?</Connector>", "");
        String http = "<Connector port=\"8080\" protocol=\"HTTP/1.1\"";
        if (!out.contains(http)) {
            throw new IllegalStateException("TomEE's server.xml has no HTTP connector on 8080 to move: " + out);
        }
        return out.replace(http, "<Connector port=\"" + httpPort + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
    }

    /**
     * Ready when {@code GET /} returns the chat page and a WebSocket at {@code /} echoes a frame; a
     * page served for {@link #UPGRADE_GRACE} without the upgrade fails at once (see RootPage).
     */
    private void awaitReady(Process started) {
        HttpRequest page = HttpRequest.newBuilder(httpUri())
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        Instant[] pageWithoutUpgradeSince = {null};
        String[] last = {"no answer"};
        awaitReady(
                started, startTimeout, kind.name(), httpUri() + " did not serve the page and a WebSocket echo", () -> {
                    if (pageWithoutUpgradeSince[0] != null
                            && Duration.between(pageWithoutUpgradeSince[0], Instant.now())
                                            .compareTo(UPGRADE_GRACE)
                                    > 0) {
                        // Not a slow start: the container gives / to the page, not to the endpoint (see RootPage).
                        throw new IllegalStateException(
                                kind + " serves the page at " + httpUri() + " but no WebSocket at " + wsUri() + " for "
                                        + UPGRADE_GRACE + " (last: " + last[0] + ")" + logTail());
                    }
                    last[0] = upgradeAnswer(
                            http.send(page, HttpResponse.BodyHandlers.ofString()), pageWithoutUpgradeSince);
                    return last[0];
                });
    }

    /** Null when the page came and the WebSocket echoed, else what happened instead. */
    private String upgradeAnswer(HttpResponse<String> response, Instant[] pageWithoutUpgradeSince) {
        if (response.statusCode() != 200 || !response.body().contains("<html")) {
            return "GET / answered HTTP " + response.statusCode();
        }
        String echo = Frames.frame("echo", "", "ready?");
        if (pageWithoutUpgradeSince[0] == null) pageWithoutUpgradeSince[0] = Instant.now();
        try (SdkClient ws = SdkClient.connect(wsUri())) {
            ws.send(echo);
            String reply = ws.next();
            return echo.equals(reply) ? null : "WebSocket echo answered " + reply;
        } catch (Exception e) {
            // the page answers, the upgrade does not (yet): a deployment half up, or the root mapped to the page
            return "WebSocket at " + wsUri() + ": " + e;
        } catch (AssertionError e) {
            return "WebSocket at " + wsUri() + " did not echo: " + e.getMessage();
        }
    }

    /** The test JVM exits with the server running: stop the whole tree, as {@link #stop} does. */
    @Override
    protected void onJvmExit(Process p) {
        terminate(p);
    }

    /**
     * SIGTERM to the server JVM and its launcher script, then wait. The JVM is waited for in full
     * (it undeploys and stops); the script only waits for it, so once the JVM is gone a script still
     * running is killed (under bash, WildFly's standalone.sh can loop on {@code wait} forever).
     */
    @Override
    protected void terminate(Process p) {
        List<ProcessHandle> servers = new ArrayList<>(p.descendants().toList());
        servers.forEach(ProcessHandle::destroy);
        p.destroy();
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        servers.add(p.toHandle());
        for (ProcessHandle h : servers) {
            boolean launcher = h.pid() == p.pid();
            try {
                long left = launcher ? Duration.ofSeconds(5).toNanos() : Math.max(1, deadline - System.nanoTime());
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                h.destroyForcibly();
            } catch (InterruptedException e) {
                h.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The distribution unpacked by the build under {@code target/servers/} (system property {@code lhttp.servers}). */
    private static Path unpacked(Kind kind) {
        Path servers = Path.of(System.getProperty(
                "lhttp.servers", targetDir().resolve("servers").toString()));
        try (Stream<Path> dirs = Files.isDirectory(servers) ? Files.list(servers) : Stream.empty()) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(kind.directoryPrefix) && Files.isDirectory(d))
                    .max(Comparator.naturalOrder())
                    .orElseThrow(
                            () -> new IllegalStateException(
                                    "no " + kind.directoryPrefix + "* in " + servers
                                            + ": `mvn verify` unpacks it in pre-integration-test (or `mvn dependency:unpack@containers`)"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path defaultWar() {
        String property = System.getProperty("lhttp.war");
        return property != null ? Path.of(property) : targetDir().resolve("lhttp.war");
    }

    /** {@code target/} of the project (system property {@code project.basedir}, set by failsafe). */
    public static Path targetDir() {
        return Path.of(System.getProperty("project.basedir", "."))
                .toAbsolutePath()
                .resolve("target");
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover copy under target/ must not fail a test; the next start of this port replaces it
        }
    }

    public static final class Builder {
        private final Kind kind;
        private Path home;
        private Path war;
        private final List<String> jvmOptions = new ArrayList<>();
        private Duration startTimeout = DEFAULT_START_TIMEOUT;

        private Builder(Kind kind) {
            this.kind = Objects.requireNonNull(kind);
        }

        /** Default: the distribution unpacked under {@code target/servers/}. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** The WAR deployed as ROOT.war. Default: system property {@code lhttp.war}, else {@code target/lhttp.war}. */
        public Builder war(Path war) {
            this.war = war;
            return this;
        }

        /**
         * A JVM option of the server, e.g. {@code -Dlhttp.send-queue=64} (MicroProfile Config reads
         * system properties on both) or {@code -Xmx1g}. WildFly: JAVA_OPTS; TomEE: CATALINA_OPTS.
         */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public ContainerServer start() {
            return new ContainerServer(this, Ports.free()).launch();
        }
    }
}
