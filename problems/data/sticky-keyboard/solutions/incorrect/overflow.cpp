#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int t;
    cin >> t;
    while (t--) {
        int k;
        string s, w;
        cin >> k >> s >> w;
        size_t i = 0, j = 0;
        bool ok = true;
        while (ok && i < s.size() && j < w.size()) {
            if (s[i] != w[j]) { ok = false; break; }
            int a = 0, b = 0;
            char c = s[i];
            while (i < s.size() && s[i] == c) { i++; a++; }
            while (j < w.size() && w[j] == c) { j++; b++; }
            if (b < a || b > a * k) ok = false;
        }
        if (i != s.size() || j != w.size()) ok = false;
        cout << (ok ? "YES" : "NO") << '\n';
    }
    return 0;
}
