import java.io.*;

public class Main {
    static int[] par;
    static int[] sz;

    // Path halving, iterative: a recursive find could overflow the stack on a long chain.
    static int find(int x) {
        while (par[x] != x) {
            par[x] = par[par[x]];
            x = par[x];
        }
        return x;
    }

    public static void main(String[] args) throws IOException {
        FastReader in = new FastReader(System.in);
        int n = in.nextInt();
        int q = in.nextInt();
        par = new int[n + 1];
        sz = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            par[i] = i;
            sz[i] = 1;
        }
        int groups = n, largest = 1;
        StringBuilder out = new StringBuilder(q * 14);
        while (q-- > 0) {
            int u = find(in.nextInt());
            int v = find(in.nextInt());
            if (u != v) {
                if (sz[u] < sz[v]) {
                    int t = u;
                    u = v;
                    v = t;
                }
                par[v] = u;
                sz[u] += sz[v];
                groups--;
                largest = Math.max(largest, sz[u]);
            }
            out.append(groups).append(' ').append(largest).append('\n');
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
