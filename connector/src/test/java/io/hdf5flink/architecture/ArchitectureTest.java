package io.hdf5flink.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connector's layers as a build rule (ARCHITECTURE.md draws them): the HDF5 engine knows
 * nothing of Flink or of its clients, records know only the engine, the source and the sink
 * know nothing of each other, the sink's writer and committer meet only in the committable above
 * them, the engine's on-disk structures stay behind its API and below everything else in it, and
 * no area or stage is in a cycle.
 * A failure names the class and the dependency that broke the rule.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.hdf5flink");
    }

    @Test
    void theEngineImportsNothingFromFlinkOrItsClients() {
        noClasses().that().resideInAPackage("io.hdf5flink.hdf5..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "io.hdf5flink.sink..",
                        "io.hdf5flink.source..", "io.hdf5flink.record..")
                .because("the engine is a library of its own; Flink is one client of it")
                .check(classes);
    }

    @Test
    void layersDependOnlyDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Engine").definedBy("io.hdf5flink.hdf5..")
                .layer("Record").definedBy("io.hdf5flink.record..")
                .layer("Source").definedBy("io.hdf5flink.source..")
                .layer("Sink").definedBy("io.hdf5flink.sink..")
                .layer("Table").definedBy("io.hdf5flink.table..")
                .whereLayer("Table").mayNotBeAccessedByAnyLayer()
                .whereLayer("Sink").mayOnlyBeAccessedByLayers("Table")
                .whereLayer("Source").mayOnlyBeAccessedByLayers("Table")
                .whereLayer("Record").mayOnlyBeAccessedByLayers("Source", "Sink", "Table")
                .whereLayer("Engine").mayOnlyBeAccessedByLayers("Record", "Source", "Sink", "Table")
                .check(classes);
    }

    @Test
    void theWriterAndTheCommitterNeverImportEachOther() {
        noClasses().that().resideInAPackage("io.hdf5flink.sink.writer..")
                .should().dependOnClassesThat().resideInAPackage("io.hdf5flink.sink.committer..")
                .check(classes);
        noClasses().that().resideInAPackage("io.hdf5flink.sink.committer..")
                .should().dependOnClassesThat().resideInAPackage("io.hdf5flink.sink.writer..")
                .check(classes);
    }

    @Test
    void onlyTheEngineSeesTheFileFormat() {
        noClasses().that().resideOutsideOfPackage("io.hdf5flink.hdf5..")
                .should().dependOnClassesThat().resideInAPackage("io.hdf5flink.hdf5.format..")
                .because("hdf5.format is the engine's internal map of the specification")
                .check(classes);
    }

    /**
     * The four areas (engine, records, source, sink) and the stages inside the source and the
     * sink form no cycle. A stage may use its area's top package (the committable sits above the
     * writer and the committer, as Flink's FileSinkCommittable does), so parent and child are
     * not compared; the engine's layers are by the rule below.
     */
    @Test
    void noAreaAndNoStageIsInACycle() {
        for (String slices : new String[] {"io.hdf5flink.(*)..", "io.hdf5flink.sink.(*)..", "io.hdf5flink.source.(*)..",
                "io.hdf5flink.hdf5.(*).."}) {
            slices().matching(slices).should().beFreeOfCycles().check(classes);
        }
    }

    @Test
    void theFileFormatKnowsNothingOfTheApiAboveIt() {
        noClasses().that().resideInAPackage("io.hdf5flink.hdf5.format..")
                .should().dependOnClassesThat().resideInAPackage("io.hdf5flink.hdf5")
                .because("one class per on-disk structure of the specification, knowing nothing of the API above")
                .check(classes);
    }
}
