package io.lhttp.memory;

import static io.lhttp.config.LhttpConfig.DEFAULT_MEMORY_BUDGET_BYTES;
import static io.lhttp.config.LhttpConfig.MEMORY_BUDGET_BYTES;

import io.lhttp.config.ConfigValues;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/** The one memory budget ({@code lhttp.memory.budget-bytes}), made when the application starts. */
@ApplicationScoped
public class MemoryConfig {

    @Inject
    Config config;

    private MemoryBudget memoryBudget;

    /** For CDI. */
    protected MemoryConfig() {}

    /** A configuration over {@code budget}, for code that runs outside CDI (tests). */
    public MemoryConfig(MemoryBudget budget) {
        this.memoryBudget = budget;
    }

    @PostConstruct
    void load() {
        memoryBudget = new MemoryBudget(MemoryBudget.limitFor(
                ConfigValues.longAtLeast(config, MEMORY_BUDGET_BYTES, DEFAULT_MEMORY_BUDGET_BYTES, 0),
                Runtime.getRuntime().maxMemory()));
    }

    void logOnStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        Logger.getLogger(MemoryConfig.class.getName())
                .info(() -> "lhttp memory: memory.budget-bytes=" + memoryBudget.limit());
    }

    /** The budget that history, send queues, unfinished frames and upstream bodies take part in. */
    public MemoryBudget memoryBudget() {
        return memoryBudget;
    }
}
