package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.exceptions.RpcLoaderException;
import org.junit.jupiter.api.Test;

/**
 * The loader ahead of Flink's never stands in its way: this module's class path, like the cluster
 * jar's and a jar copied without {@code lib/}, has no Pekko RPC system, and Flink then loads its
 * own. That it is used where the RPC system is beside the jar is {@code LauncherInteropTest}'s
 * part (the launcher's class-load log).
 */
class ClassPathRpcSystemLoaderTest {
    @Test
    void withoutPekkoOnTheClassPathItStepsAsideForFlinksOwnLoader() throws Exception {
        ClassPathRpcSystemLoader loader = new ClassPathRpcSystemLoader();
        assertTrue(loader.getLoadPriority() < 0, "loads before Flink's PekkoRpcSystemLoader (priority 0)");
        RpcLoaderException refused = assertThrows(RpcLoaderException.class, () -> loader.loadRpcSystem(new Configuration()));
        assertTrue(refused.getMessage().contains("Flink's own loader takes over"), refused.getMessage());

        // An exception, not an error: RpcSystem.load goes on to the next loader.
        try (RpcSystem rpc = RpcSystem.load(new Configuration())) {
            assertEquals("CleanupOnCloseRpcSystem", rpc.getClass().getSimpleName(), "Flink's own loader's system");
        }
    }
}
