import java.io.*;

public class Main {
    static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    public static void main(String[] args) throws IOException {
        FastReader in = new FastReader(System.in);
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        int q = in.nextInt();
        while (q-- > 0) {
            long n = in.nextLong();
            long a = in.nextLong();
            long b = in.nextLong();
            long x = a / gcd(a, b);
            // lcm(a, b) = x * b can exceed a long; when it exceeds n no lantern is painted twice,
            // and x > n / b says so without forming the product.
            long both = x > n / b ? 0 : n / (x * b);
            out.println(n - n / a - n / b + both);
        }
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
