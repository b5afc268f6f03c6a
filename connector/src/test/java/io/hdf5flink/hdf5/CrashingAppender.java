package io.hdf5flink.hdf5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link CrashInteropTest}: appends rows of a known pattern to
 * {@code /crash/data} forever, committing after each batch with the row count as commit token,
 * and prints {@code COMMITTED <rows>} once each commit returned. Now and then it also creates a
 * group and rewrites an attribute, so kills land in those writes too; with {@code notes}, it also
 * sets string attributes of changing sizes on the root and puts the marks' groups into
 * {@code /crash}. It runs until killed.
 *
 * <p>Row r, column c holds {@code r * COLUMNS + c}.
 */
public final class CrashingAppender {
    static final int COLUMNS = 8;
    static final String DATASET = "/crash/data";

    private CrashingAppender() {}

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        boolean fsync = args.length > 2 && args[2].equals("fsync");
        // In a file whose groups h5py stored with link messages (version 2 headers), notes of
        // changing sizes make the root's header free, reuse and continue its checksummed chunks.
        // With latest, a new file is created in Profile.LATEST (its objects have version 2 headers,
        // its groups link messages), with the notes and the marks in /crash as well.
        boolean latest = args.length > 2 && args[2].equals("latest");
        boolean notes = latest || args.length > 2 && args[2].equals("notes");
        Hdf5File.Options options = Hdf5File.Options.defaults().withFsyncOnCommit(fsync)
                .withProfile(latest ? Profile.LATEST : Profile.DEFAULT).withReopenFlagged(true); // what its killed predecessor left
        Hdf5File file = Files.exists(path) ? Hdf5File.openForAppend(path, options) : Hdf5File.create(path, options);
        Hdf5Dataset data = file.exists(DATASET) ? file.dataset(DATASET)
                : file.createDataset(DATASET, DatasetSpec.builder(DataType.INT32, 0, COLUMNS)
                        .maxShape(DatasetSpec.UNLIMITED, COLUMNS).chunks(64, COLUMNS).shuffle().deflate(1)
                        .commitTokenCapacity(16).build());
        long rows = data.shape()[0];
        for (int commit = 0; ; commit++) {
            int batch = 1 + random.nextInt(300);
            ByteBuffer b = ByteBuffer.allocate(batch * COLUMNS * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (long r = rows; r < rows + batch; r++) {
                for (int c = 0; c < COLUMNS; c++) b.putInt((int) (r * COLUMNS + c));
            }
            b.flip();
            data.append(b);
            rows += batch;
            data.setCommitToken(Long.toString(rows).getBytes());
            file.commit();
            System.out.println("COMMITTED " + rows);
            System.out.flush();
            if (commit % 10 == 9) file.root().setAttribute("rows_at_last_mark", AttributeValue.of(rows));
            // With notes, the marks go into /crash, a link-message group that turns dense after 8 links.
            // Without, into /marks, a symbol-table group; every third mark's name is not ASCII, so the
            // first of those converts /marks to link messages (as libhdf5 does), and later ones make it dense.
            if (commit % 40 == 39) {
                String mark = notes ? "/crash/m" : commit % 120 == 79 ? "/marks/µ" : "/marks/m";
                file.requireGroup(mark + rows).setAttribute("rows", AttributeValue.of(rows));
            }
            if (notes && commit % 5 == 2) {
                file.root().setAttribute("note" + (commit / 5) % 6, AttributeValue.of("n".repeat(1 + random.nextInt(300))));
            }
        }
    }
}
