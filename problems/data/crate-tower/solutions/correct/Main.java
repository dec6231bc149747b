import java.io.*;
import java.util.*;

public class Main {
    public static void main(String[] args) throws IOException {
        FastReader in = new FastReader(System.in);
        int n = in.nextInt();
        // Sort by width ascending and, within a width, weight descending, so that crates of
        // equal width can never both join the strictly increasing run of weights below.
        // Both fit in 31 bits: one long per crate sorts as a primitive array.
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            long w = in.nextLong();
            long g = in.nextLong();
            c[i] = (w << 31) | (Integer.MAX_VALUE - g);
        }
        Arrays.sort(c);
        // tails[k] = smallest last weight of a strictly increasing run of length k + 1
        int[] tails = new int[n];
        int len = 0;
        for (long key : c) {
            int g = Integer.MAX_VALUE - (int) (key & Integer.MAX_VALUE);
            int lo = 0, hi = len;  // lower_bound: first tail >= g
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (tails[mid] < g) lo = mid + 1;
                else hi = mid;
            }
            tails[lo] = g;
            if (lo == len) len++;
        }
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        out.println(len);
        out.flush();
    }

    /** Reads signed decimal numbers straight from the byte stream, skipping whitespace. */
    private static final class FastReader {
        private final DataInputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int len = 0;
        private int ptr = 0;

        FastReader(InputStream stream) {
            in = new DataInputStream(stream);
        }

        private int read() throws IOException {
            if (ptr == len) {
                len = in.read(buf, 0, buf.length);
                ptr = 0;
                if (len <= 0) {
                    len = 0;
                    return -1;
                }
            }
            return buf[ptr++];
        }

        long nextLong() throws IOException {
            int c = read();
            while (c != -1 && c != '-' && (c < '0' || c > '9')) c = read();
            if (c == -1) throw new EOFException();
            boolean negative = c == '-';
            if (negative) c = read();
            long x = 0;
            while (c >= '0' && c <= '9') {
                x = x * 10 + (c - '0');
                c = read();
            }
            return negative ? -x : x;
        }

        int nextInt() throws IOException {
            return (int) nextLong();
        }
    }
}
