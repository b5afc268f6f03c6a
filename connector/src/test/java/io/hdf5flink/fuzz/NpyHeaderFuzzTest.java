package io.hdf5flink.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hdf5flink.source.format.NpyHeader;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the {@code .npy} header parser ({@link NpyHeader}, and through it the Python-literal
 * parser), which reads untrusted files on the client when a source is built.
 *
 * <p>Contract: a header is parsed or refused with an {@link IOException} (or an
 * {@link IllegalArgumentException}) that has a message; never a hang, a stack overflow, another
 * exception, or an allocation sized from a number in the file (the budget is a few times the
 * input). Accepted headers must be self-consistent.
 *
 * <p>An input that starts with numpy's magic is a whole file; any other input is taken as the
 * header's dict text and wrapped in a version 1.0 (or, when longer than 65535 bytes, 2.0)
 * prefix, so the fuzzer spends most of its time in the literal parser rather than the magic.
 */
class NpyHeaderFuzzTest {
    static final String TARGET = "npy-header";
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "20s")
    void npyHeader(byte[] input) {
        byte[] file = startsWithMagic(input) ? input : wrap(input);
        FuzzRun.run(TARGET, (4L << 20) + 16L * file.length, FuzzRun.describe(input), () -> parse(file));
    }

    private static void parse(byte[] file) {
        NpyHeader header;
        try {
            header = NpyHeader.read(new Unbuffered(new ByteArrayInputStream(file)));
        } catch (IOException | IllegalArgumentException e) {
            FuzzRun.requireMessage(e);
            FuzzRun.outcome(TARGET, "refused");
            return;
        }
        long[] shape = header.shape();
        if (shape.length < 1 || shape.length > io.hdf5flink.hdf5.DatasetSpec.MAX_RANK) throw new AssertionError("rank " + shape.length);
        for (long extent : shape) if (extent < 0) throw new AssertionError("negative extent " + extent);
        if (header.type() == null) throw new AssertionError("no type");
        if (header.major() < 1 || header.major() > 3) throw new AssertionError("version " + header.major());
        if (header.dataOffset() < 10 || header.dataOffset() > file.length) {
            throw new AssertionError("data offset " + header.dataOffset() + " of a " + file.length + "-byte file");
        }
        FuzzRun.outcome(TARGET, "accepted");
    }

    @AfterAll
    static void report() {
        FuzzRun.report(TARGET);
    }

    private static boolean startsWithMagic(byte[] input) {
        if (input.length < MAGIC.length) return false;
        for (int i = 0; i < MAGIC.length; i++) if (input[i] != MAGIC[i]) return false;
        return true;
    }

    /** {@code dict} as the header of a version 1.0 file (2.0 when too long for a u16 length). */
    static byte[] wrap(byte[] dict) {
        boolean v1 = dict.length <= 0xFFFF;
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + (v1 ? 2 : 4) + dict.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) b.putShort((short) dict.length); else b.putInt(dict.length);
        return b.put(dict).array();
    }

    /** A whole file as numpy's {@code np.save} writes it: header padded with spaces to 64 bytes, then data. */
    static byte[] npy(int major, String dict, int dataBytes) {
        int lengthBytes = major == 1 ? 2 : 4;
        int unpadded = MAGIC.length + 2 + lengthBytes + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(padded - unpadded) + "\n";
        byte[] text = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + lengthBytes + text.length + dataBytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) b.putShort((short) text.length); else b.putInt(text.length);
        b.put(text);
        for (int i = 0; i < dataBytes; i++) b.put((byte) i);
        return b.array();
    }

    /** Valid headers of every accepted kind, the refused kinds numpy writes, and bare dict texts. */
    static Stream<Arguments> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(npy(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3, 4), }", 24));
        seeds.add(npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", 5));
        seeds.add(npy(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 1, 1), }", 16));
        seeds.add(npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16));
        seeds.add(npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", 8));
        seeds.add(npy(1, "{'descr': [('a', '<i4'), ('b', '<f8')], 'fortran_order': False, 'shape': (1,), }", 12));
        seeds.add(npy(1, "{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", 12));
        seeds.add(npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 8));
        seeds.add(npy(2, "{'descr': '<u4', 'fortran_order': False, 'shape': (0, 7), }", 0));
        seeds.add(npy(3, "{'descr': '<u8', 'fortran_order': False, 'shape': (1, 2, 3, 4, 5, 6, 7, 8), }", 0));
        seeds.add(npy(1, "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (3L, 4L)}", 48));
        seeds.add("{'descr': '<i2', 'fortran_order': False, 'shape': (10, 2), }".getBytes(StandardCharsets.ISO_8859_1));
        seeds.add("{'a': [1, (2, [3, {'b': None}]), -4], 'shape': ((((((1,),),),),),)}".getBytes(StandardCharsets.ISO_8859_1));
        seeds.add("{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 2)}".getBytes(StandardCharsets.ISO_8859_1));
        return seeds.stream().map(s -> Arguments.of((Object) s));
    }

    /**
     * Hides {@link ByteArrayInputStream}'s own {@code readNBytes}, so the parser reads as it does
     * from the prober's file and decoder streams (the generic {@link InputStream} code).
     */
    private static final class Unbuffered extends FilterInputStream {
        Unbuffered(InputStream in) {
            super(in);
        }
    }
}
