// Wrong: scans every question's whole stretch instead of using prefix counts, O(q * (r - l)); too slow for 3 * 10^4 long stretches.
import java.io.*;

public class ScanEachQuestion {
    public static void main(String[] args) throws IOException {
        FastReader in = new FastReader(System.in);
        int q = in.nextInt();
        int[] lo = new int[q];
        int[] hi = new int[q];
        int n = 3;
        for (int i = 0; i < q; i++) {
            lo[i] = in.nextInt();
            hi[i] = in.nextInt();
            n = Math.max(n, hi[i]);
        }
        boolean[] composite = new boolean[n + 1];
        composite[0] = composite[1] = true;
        for (long i = 2; i * i <= n; i++)
            if (!composite[(int) i])
                for (long j = i * i; j <= n; j += i) composite[(int) j] = true;
        StringBuilder out = new StringBuilder(q * 8);
        for (int i = 0; i < q; i++) {
            int c = 0;
            for (int p = lo[i]; p + 2 <= hi[i]; p++)
                if (!composite[p] && !composite[p + 2]) c++;
            out.append(c).append('\n');
        }
        PrintWriter pw = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        pw.print(out);
        pw.flush();
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
