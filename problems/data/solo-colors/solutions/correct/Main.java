import java.io.*;
import java.util.*;

public class Main {
    static int n;
    static int[] bit;

    static void add(int i, int v) {
        for (; i <= n; i += i & -i) bit[i] += v;
    }

    static int prefix(int i) {
        int s = 0;
        for (; i > 0; i -= i & -i) s += bit[i];
        return s;
    }

    public static void main(String[] args) throws IOException {
        FastReader in = new FastReader(System.in);
        n = in.nextInt();
        int q = in.nextInt();
        int[] c = new int[n + 1];
        for (int i = 1; i <= n; i++) c[i] = in.nextInt();
        // Colors become indices 0..k-1, so the last occurrences live in plain arrays.
        int[] sorted = Arrays.copyOfRange(c, 1, n + 1);
        Arrays.sort(sorted);
        int k = 0;
        for (int i = 0; i < n; i++) if (i == 0 || sorted[i] != sorted[i - 1]) sorted[k++] = sorted[i];
        for (int i = 1; i <= n; i++) c[i] = Arrays.binarySearch(sorted, 0, k, c[i]);

        // Questions grouped by their right end, as linked lists in arrays.
        int[] lo = new int[q];
        int[] head = new int[n + 1];
        int[] next = new int[q];
        Arrays.fill(head, -1);
        for (int i = 0; i < q; i++) {
            lo[i] = in.nextInt();
            int r = in.nextInt();
            next[i] = head[r];
            head[r] = i;
        }

        // After position r, position p holds +1 if it is the last occurrence of its color in
        // 1..r, -1 if the second to last, 0 otherwise: a color sums to 1 over [l, r] exactly
        // when it occurs there once.
        bit = new int[n + 1];
        int[] last = new int[k];
        int[] last2 = new int[k];
        int[] ans = new int[q];
        for (int r = 1; r <= n; r++) {
            int col = c[r];
            add(r, 1);
            if (last[col] != 0) {
                add(last[col], -2);
                if (last2[col] != 0) add(last2[col], 1);
            }
            last2[col] = last[col];
            last[col] = r;
            for (int qi = head[r]; qi != -1; qi = next[qi]) ans[qi] = prefix(r) - prefix(lo[qi] - 1);
        }
        StringBuilder out = new StringBuilder(q * 6);
        for (int i = 0; i < q; i++) out.append(ans[i]).append('\n');
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
