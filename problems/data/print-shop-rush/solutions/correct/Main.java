import java.io.*;

public class Main {
    public static void main(String[] args) throws IOException {
        FastReader in = new FastReader(System.in);
        int n = in.nextInt();
        long m = in.nextLong();
        long[] w = new long[n], t = new long[n];
        // Any single press alone finishes m posters by w + m * t (at most about 10^18).
        long hi = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            w[i] = in.nextLong();
            t[i] = in.nextLong();
            hi = Math.min(hi, w[i] + m * t[i]);
        }
        long lo = 0;
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            // Stop counting at m: the full count over all presses can exceed a long.
            long total = 0;
            for (int i = 0; i < n && total < m; i++)
                if (mid > w[i]) total += (mid - w[i]) / t[i];
            if (total >= m) hi = mid;
            else lo = mid + 1;
        }
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        out.println(lo);
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
