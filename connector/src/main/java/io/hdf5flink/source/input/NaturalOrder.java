package io.hdf5flink.source.input;

import java.util.Comparator;
import org.apache.flink.annotation.Internal;

/**
 * Orders names the way people number files: runs of digits compare as numbers, so {@code ch2}
 * comes before {@code ch10}. Used when a directory, a glob or an archive gives the inputs of a
 * multi-file source in no meaningful order, because the order decides each file's column or row
 * range in the output.
 */
@Internal
public final class NaturalOrder implements Comparator<String> {
    public static final NaturalOrder INSTANCE = new NaturalOrder();

    private NaturalOrder() {}

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            if (isDigit(a.charAt(i)) && isDigit(b.charAt(j))) {
                int endA = digitsEnd(a, i);
                int endB = digitsEnd(b, j);
                int byValue = compareNumbers(a.substring(i, endA), b.substring(j, endB));
                if (byValue != 0) return byValue;
                i = endA;
                j = endB;
            } else {
                int byChar = Character.compare(a.charAt(i), b.charAt(j));
                if (byChar != 0) return byChar;
                i++;
                j++;
            }
        }
        int byRest = Integer.compare(a.length() - i, b.length() - j);
        // Names equal but for leading zeros ("ch01", "ch1") still need a fixed order.
        return byRest != 0 ? byRest : a.compareTo(b);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int digitsEnd(String s, int start) {
        int end = start;
        while (end < s.length() && isDigit(s.charAt(end))) end++;
        return end;
    }

    /** Compares digit strings by value without parsing, so runs of any length work. */
    private static int compareNumbers(String x, String y) {
        String a = stripZeros(x);
        String b = stripZeros(y);
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }

    private static String stripZeros(String digits) {
        int k = 0;
        while (k < digits.length() - 1 && digits.charAt(k) == '0') k++;
        return digits.substring(k);
    }
}
