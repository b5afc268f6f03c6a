package io.hdf5flink.hdf5.filter;

/** The tests every filter must pass, for one filter made up front and chunks of whole elements of one size. */
abstract class FixedFilterTest extends AbstractFilterTest {
    private final Filter filter;
    private final int elementSize;

    FixedFilterTest(Filter filter, int elementSize) {
        this.filter = filter;
        this.elementSize = elementSize;
    }

    @Override
    Filter filter() {
        return filter;
    }

    @Override
    int elementSize() {
        return elementSize;
    }
}
