/**
 * Fuzz tests of every parser that reads untrusted bytes (issue 7, reliability and security),
 * with <a href="https://github.com/CodeIntelligenceTesting/jazzer">Jazzer</a>, a coverage-guided
 * fuzzer for the JVM, through its JUnit 5 {@code @FuzzTest}:
 *
 * <table>
 *   <caption>Targets</caption>
 *   <tr><th>Test</th><th>Code under test</th><th>Clean outcome</th></tr>
 *   <tr><td>{@link io.hdf5flink.fuzz.NpyHeaderFuzzTest}</td><td>{@code .npy} header and Python-literal parser</td>
 *       <td>IOException / IllegalArgumentException with a message</td></tr>
 *   <tr><td>{@link io.hdf5flink.fuzz.ArrayProberFuzzTest}</td><td>the sources' client-side prober: gzip, bzip2,
 *       xz, zstd, zip/npz, tar (plain and compressed), raw</td>
 *       <td>IllegalArgumentException whose message starts with the file</td></tr>
 *   <tr><td>{@link io.hdf5flink.fuzz.Hdf5ReopenFuzzTest}</td><td>HDF5 open for append / read-only, group walk,
 *       dataset reads</td><td>Hdf5Exception, Hdf5FormatException or UncheckedIOException with a message</td></tr>
 *   <tr><td>{@link io.hdf5flink.fuzz.CheckpointStateFuzzTest}</td><td>committable, writer-state, split and
 *       pending-splits serializers</td><td>IOException</td></tr>
 * </table>
 *
 * <p>Every input also runs under a 5 s time limit and an allocation budget ({@link
 * io.hdf5flink.fuzz.FuzzRun}), in a JVM with a 256 MiB heap (512 MiB while fuzzing: Jazzer's
 * agent scans the class path in it when it starts). Executions are counted per target
 * and printed as {@code FUZZ EXECUTIONS <target>: <n> in <s> s (<mode> mode, ...)}.
 *
 * <p><b>How they run</b> (connector/pom.xml):
 * <ul>
 *   <li>{@code mvn test}: the seed corpora (built by each test's {@code seeds()} method, plus any
 *       file saved under {@code src/test/resources/io/hdf5flink/fuzz/<Test>Inputs/<method>/}) run
 *       as plain tests, in the {@code fuzz-regression} execution.
 *   <li>{@code mvn verify}: the {@code fuzz} execution then fuzzes each target for
 *       {@code fuzz.seconds} (10 by default), one JVM per target, as Jazzer fuzzes one test per
 *       JVM. {@code -Dfuzz.skip} skips it. The generated corpus and any crashing input
 *       ({@code crash-<sha1>}) are written to {@code connector/target/fuzz}; copy a crash into the
 *       target's inputs directory above to keep it as a regression input.
 *   <li>A long run of one target, e.g. an hour:
 *       <pre>mvn -o -pl connector test-compile surefire:test@fuzz -Dtest=Hdf5ReopenFuzzTest -Dfuzz.seconds=3600</pre>
 *       or of all four: {@code mvn -o -pl connector verify -Dfuzz.seconds=3600}. The corpus in
 *       {@code target/fuzz/.cifuzz-corpus} is kept between runs (until {@code mvn clean}), so
 *       runs continue where the last one stopped.
 * </ul>
 *
 * <p>The {@code *RegressionTest} classes are ordinary tests: each rebuilds an input that showed
 * a bug (found by the fuzzer, or built by hand where random mutation rarely gets, such as
 * decompression bombs and B-trees that share subtrees) and checks it is refused quickly.
 */
package io.hdf5flink.fuzz;
