import java.io.*;

public class Main {
    public static void main(String[] args) throws IOException {
        FastReader in = new FastReader(System.in);
        int n = in.nextInt();
        int[] v = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            v[i] = in.nextInt();
            total += v[i];
        }
        // Bit s of reach is set when some gems sum to exactly s. Only sums up to half the total
        // matter (the smaller share), so the bitset stops there; bits shifted past it are lost.
        int half = total / 2;
        int words = (half >> 6) + 1;
        long[] reach = new long[words];
        reach[0] = 1L;
        for (int x : v) {
            int ws = x >> 6, bs = x & 63;
            // reach |= reach << x, from the top word down so every source word is still old
            for (int i = words - 1; i >= ws; i--) {
                long shifted = reach[i - ws] << bs;
                if (bs != 0 && i - ws - 1 >= 0) shifted |= reach[i - ws - 1] >>> (64 - bs);
                reach[i] |= shifted;
            }
        }
        int best = 0;
        for (int s = half; s >= 0; s--) {
            if ((reach[s >> 6] >>> (s & 63) & 1L) != 0) {
                best = s;
                break;
            }
        }
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        out.println(total - 2 * best);
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
