#include <bits/stdc++.h>
using namespace std;

static vector<pair<char, long long>> runs(const string& s) {
    vector<pair<char, long long>> r;
    size_t i = 0;
    while (i < s.size()) {
        size_t j = i;
        while (j < s.size() && s[j] == s[i]) j++;
        r.push_back({s[i], (long long)(j - i)});
        i = j;
    }
    return r;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int t;
    if (!(cin >> t)) return 0;
    while (t--) {
        long long k;
        string s, w;
        cin >> k >> s >> w;
        auto rs = runs(s), rw = runs(w);
        bool ok = rs.size() == rw.size();
        for (size_t i = 0; ok && i < rs.size(); i++) {
            long long a = rs[i].second, b = rw[i].second;
            if (rs[i].first != rw[i].first || b < a || b > a * k) ok = false;
        }
        cout << (ok ? "YES" : "NO") << '\n';
    }
    return 0;
}
