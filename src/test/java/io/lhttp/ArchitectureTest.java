package io.lhttp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The package layers of docs/ARCHITECTURE.md hold: no package uses one above it, no two packages
 * depend on each other through any path, and the public API packages expose no internal type.
 * No exceptions list: a change that needs one changes the drawing (and the doc) instead.
 */
class ArchitectureTest {

    /** What a processor or filter author uses; nothing else of ours may appear in their public signatures. */
    static final List<String> API_PACKAGES = List.of("io.lhttp.processor", "io.lhttp.protocol");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.lhttp");

    @Test
    void theMainClassesAreFound() {
        // Guards the rules below against passing on nothing (a wrong package or import option).
        for (String name : List.of(
                "io.lhttp.protocol.Message",
                "io.lhttp.config.LhttpConfig",
                "io.lhttp.processor.Exchange",
                "io.lhttp.channel.ChannelRegistry",
                "io.lhttp.connection.LhttpEndpoint",
                "io.lhttp.cluster.NatsBus",
                "io.lhttp.client.LhttpClient")) {
            if (!MAIN.contain(name)) {
                throw new AssertionError("not imported: " + name);
            }
        }
    }

    @Test
    void noPackageUsesALayerAboveIt() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Protocol")
                .definedBy("io.lhttp.protocol..")
                .layer("Config")
                .definedBy("io.lhttp.config..")
                .layer("Api")
                .definedBy("io.lhttp.processor..")
                .layer("CoreBase")
                .definedBy("io.lhttp.meters..", "io.lhttp.memory..", "io.lhttp.admission..")
                .layer("Channel")
                .definedBy("io.lhttp.channel..")
                .layer("Connection")
                .definedBy("io.lhttp.connection..")
                .layer("Adapters")
                .definedBy(
                        "io.lhttp.cluster..",
                        "io.lhttp.upstream..",
                        "io.lhttp.publish..",
                        "io.lhttp.security..",
                        "io.lhttp.metrics..",
                        "io.lhttp.web..",
                        "io.lhttp.presence..",
                        "io.lhttp.multipart..",
                        "io.lhttp.proxy..",
                        "io.lhttp.serverapi..",
                        "io.lhttp.sse..")
                .layer("Client")
                .definedBy("io.lhttp.client..")
                .layer("Image")
                .definedBy("io.lhttp.image..")
                .layer("Examples")
                .definedBy("io.lhttp.examples..")
                .whereLayer("Protocol")
                .mayNotAccessAnyLayer()
                .whereLayer("Config")
                .mayOnlyAccessLayers("Protocol")
                .whereLayer("Api")
                .mayOnlyAccessLayers("Protocol")
                .whereLayer("CoreBase")
                .mayOnlyAccessLayers("Protocol", "Config")
                .whereLayer("Channel")
                .mayOnlyAccessLayers("Protocol", "Config", "Api", "CoreBase")
                .whereLayer("Connection")
                .mayOnlyAccessLayers("Protocol", "Config", "Api", "CoreBase", "Channel")
                .whereLayer("Adapters")
                .mayOnlyAccessLayers("Protocol", "Config", "Api", "CoreBase", "Channel", "Connection")
                .whereLayer("Client")
                .mayOnlyAccessLayers("Protocol")
                .whereLayer("Image")
                .mayOnlyAccessLayers("Protocol")
                .whereLayer("Examples")
                .mayOnlyAccessLayers("Protocol", "Api")
                .check(MAIN);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.lhttp.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void everyMainPackageIsInALayer() {
        Set<String> drawn = Set.of(
                "protocol",
                "config",
                "processor",
                "meters",
                "memory",
                "admission",
                "channel",
                "connection",
                "cluster",
                "upstream",
                "publish",
                "security",
                "metrics",
                "web",
                "presence",
                "multipart",
                "proxy",
                "serverapi",
                "sse",
                "client",
                "image",
                "examples");
        for (JavaClass c : MAIN) {
            String top = c.getPackageName().replaceFirst("^io\\.lhttp\\.?", "").replaceFirst("\\..*", "");
            if (!drawn.contains(top)) {
                throw new AssertionError(c.getName() + " is in no layer of docs/ARCHITECTURE.md: place its package");
            }
        }
    }

    @Test
    void thePublicApiExposesNoInternalType() {
        classes()
                .that()
                .resideInAnyPackage(API_PACKAGES.toArray(String[]::new))
                .and()
                .arePublic()
                .should(exposeOnlyApiTypes())
                .check(MAIN);
    }

    private static ArchCondition<JavaClass> exposeOnlyApiTypes() {
        return new ArchCondition<>(
                "expose only API, JDK and Jakarta types in public signatures, fields and supertypes") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                c.getRawSuperclass().ifPresent(s -> require(c, "supertype", s, events));
                c.getRawInterfaces().forEach(i -> require(c, "supertype", i, events));
                for (JavaField f : c.getFields()) {
                    if (visible(f.getModifiers())) {
                        require(c, "field " + f.getName(), f.getRawType(), events);
                    }
                }
                for (JavaMethod m : c.getMethods()) {
                    if (visible(m.getModifiers())) {
                        require(c, "method " + m.getName(), m.getRawReturnType(), events);
                        m.getRawParameterTypes().forEach(p -> require(c, "method " + m.getName(), p, events));
                        m.getThrowsClause().getTypes().forEach(t -> require(c, "method " + m.getName(), t, events));
                    }
                }
                c.getConstructors().stream()
                        .filter(k -> visible(k.getModifiers()))
                        .forEach(k -> k.getRawParameterTypes().forEach(p -> require(c, "constructor", p, events)));
            }
        };
    }

    private static boolean visible(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    private static void require(JavaClass owner, String where, JavaType type, ConditionEvents events) {
        JavaClass raw = type.toErasure();
        while (raw.isArray()) {
            raw = raw.getComponentType();
        }
        String pkg = raw.getPackageName();
        boolean ok = !pkg.startsWith("io.lhttp")
                || API_PACKAGES.stream().anyMatch(a -> pkg.equals(a) || pkg.startsWith(a + "."));
        if (!ok) {
            events.add(SimpleConditionEvent.violated(
                    owner, owner.getName() + " exposes internal " + raw.getName() + " in its " + where));
        }
    }
}
