package io.lhttp.processor;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Selects the messages a processor handles, by their command:
 * {@code void on(@Observes @Command("chat") Exchange ex)}. Observe {@code @Any Exchange} to see
 * every message.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD, ElementType.TYPE})
public @interface Command {

    /** The command, as in {@code LHTTP/1.0 <command>}; matched exactly. */
    String value();

    /** The qualifier instance for firing an event to the processors of one command. */
    final class Literal extends AnnotationLiteral<Command> implements Command {

        private static final long serialVersionUID = 1L;

        private final String value;

        public Literal(String value) {
            this.value = value;
        }

        @Override
        public String value() {
            return value;
        }
    }
}
