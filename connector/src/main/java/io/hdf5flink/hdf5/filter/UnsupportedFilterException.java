package io.hdf5flink.hdf5.filter;

import java.io.IOException;

/**
 * A dataset's filter pipeline names a filter this engine cannot apply, or gives a supported
 * filter client data it cannot work with. The message names the filter by id and name.
 */
public class UnsupportedFilterException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int filterId;

    /**
     * @param filterId the filter identification value that was refused
     * @param message what is wrong, naming the filter
     */
    public UnsupportedFilterException(int filterId, String message) {
        super(message);
        this.filterId = filterId;
    }

    /** The filter identification value that was refused. */
    public int filterId() {
        return filterId;
    }
}
