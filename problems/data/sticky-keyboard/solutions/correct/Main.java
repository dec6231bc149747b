import java.io.*;
import java.util.*;

public class Main {
    static BufferedReader br;
    static StringTokenizer st;

    static String next() throws IOException {
        while (st == null || !st.hasMoreTokens()) {
            String line = br.readLine();
            if (line == null) throw new EOFException();
            st = new StringTokenizer(line);
        }
        return st.nextToken();
    }

    /** Runs of equal letters: letters[i] repeated lengths[i] times; returns the number of runs. */
    static int runs(String s, char[] letters, int[] lengths) {
        int count = 0;
        int i = 0;
        while (i < s.length()) {
            int j = i;
            while (j < s.length() && s.charAt(j) == s.charAt(i)) j++;
            letters[count] = s.charAt(i);
            lengths[count++] = j - i;
            i = j;
        }
        return count;
    }

    public static void main(String[] args) throws IOException {
        br = new BufferedReader(new InputStreamReader(System.in), 1 << 16);
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        int t = Integer.parseInt(next());
        while (t-- > 0) {
            long k = Long.parseLong(next());
            String s = next();
            String w = next();
            char[] ls = new char[s.length()], lw = new char[w.length()];
            int[] ns = new int[s.length()], nw = new int[w.length()];
            int rs = runs(s, ls, ns), rw = runs(w, lw, nw);
            // Each run of presses of one key gives between a and a * k letters (a * k: a long).
            boolean ok = rs == rw;
            for (int i = 0; ok && i < rs; i++) {
                long a = ns[i], b = nw[i];
                if (ls[i] != lw[i] || b < a || b > a * k) ok = false;
            }
            out.println(ok ? "YES" : "NO");
        }
        out.flush();
    }
}
