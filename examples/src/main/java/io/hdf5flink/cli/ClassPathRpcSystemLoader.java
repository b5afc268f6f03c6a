package io.hdf5flink.cli;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.RpcSystemLoader;
import org.apache.flink.runtime.rpc.exceptions.RpcLoaderException;

/**
 * Gives the embedded Flink of {@code java -jar flink-hdf5-examples.jar} its Pekko RPC system from
 * the application class path: the build puts Flink's {@code flink-rpc-akka.jar} beside the jar
 * ({@code target/lib/}, named in the jar's manifest), where the launcher's class archive covers
 * its classes like every other.
 *
 * <p>Flink's own loader ({@code PekkoRpcSystemLoader}) copies that 24 MB jar out of
 * {@code flink-rpc-akka-loader} into {@code io.tmp.dirs} on every start and loads its twelve
 * thousand classes (Pekko, Scala) in a class loader of its own, which the archive cannot serve:
 * about 0.3 s of a two-chunk conversion's 1.6 s on 2 cores. It deletes the copy only when the
 * cluster closes, which a command line that exits as soon as its job is done does not wait for, so
 * every run left 24 MB behind in {@code /tmp}.
 *
 * <p>Found through {@code META-INF/services}, ahead of Flink's loader (a lower priority loads
 * first). Where the class path has no Pekko RPC system (the jar copied without {@code lib/}, the
 * cluster jar, the modules' tests) it throws, and Flink goes on to its own loader.
 */
@Internal
public final class ClassPathRpcSystemLoader implements RpcSystemLoader {
    private static final String RPC_SYSTEM = "org.apache.flink.runtime.rpc.pekko.PekkoRpcSystem";

    @Override
    public int getLoadPriority() {
        return -1; // Flink's PekkoRpcSystemLoader is 0
    }

    @Override
    public RpcSystem loadRpcSystem(Configuration config) {
        try {
            return (RpcSystem) Class.forName(RPC_SYSTEM).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new RpcLoaderException("No Pekko RPC system on the class path (" + e + "): Flink's own loader takes over", e);
        }
    }
}
