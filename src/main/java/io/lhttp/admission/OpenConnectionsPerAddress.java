package io.lhttp.admission;

import io.lhttp.memory.MemoryBudget;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The WebSocket connections each client address holds open, shared by the endpoint (which counts
 * them) and {@link ClientAddress.Filter} (which reads them before the container upgrades, issue 18).
 */
@ApplicationScoped
public class OpenConnectionsPerAddress {

    /**
     * While the memory budget is near full (or the heap under pressure), an address that already
     * holds this many connections is refused new ones: an attacker holds many, a new client few.
     */
    public static final int NEAR_FULL_PER_ADDRESS = 8;

    private final AddressCounter counter = new AddressCounter();

    public AddressCounter counter() {
        return counter;
    }

    /**
     * Whether a new connection from {@code address} is to be refused for memory before it is
     * upgraded: the budget refuses new work (near full, or the heap under pressure) and the address
     * holds {@value #NEAR_FULL_PER_ADDRESS} or more; or, from any address, the reserves for frames
     * the container may be buffering unseen pass {@value #INBOUND_CEILING_PERCENT} % of the budget
     * (many addresses holding a few connections each, see {@code io.lhttp.connection.Connections}).
     */
    public boolean refuseForMemory(String address, MemoryBudget budget) {
        if (!budget.acceptsNewWork()
                && (address.equals(ClientAddress.UNKNOWN) || counter.held(address) >= NEAR_FULL_PER_ADDRESS)) {
            return true;
        }
        return unseenReservesFull(budget);
    }

    /**
     * How far, in percent of the budget, what is counted for unfinished inbound frames may go before
     * every address is refused. Above 100: an address with few connections still gets in while the
     * budget is over its limit by less (its connection is shed after a second if no frame comes);
     * this bound is what many addresses with a few connections each can make the server hold.
     */
    public static final int INBOUND_CEILING_PERCENT = 150;

    /** Whether what the budget counts for unfinished inbound frames (ours and the container's, reserved) passes {@value #INBOUND_CEILING_PERCENT} % of the budget. */
    public static boolean unseenReservesFull(MemoryBudget budget) {
        return budget.used(MemoryBudget.Use.INBOUND) >= budget.limit() / 100 * INBOUND_CEILING_PERCENT;
    }
}
