#include <bits/stdc++.h>
using namespace std;

int n, q;
vector<int> bit;

void add(int i, int v) {
    for (; i <= n; i += i & -i) bit[i] += v;
}
int prefix(int i) {
    int s = 0;
    for (; i > 0; i -= i & -i) s += bit[i];
    return s;
}

int main() {
    if (scanf("%d %d", &n, &q) != 2) return 0;
    vector<long long> c(n + 1);
    for (int i = 1; i <= n; i++) scanf("%lld", &c[i]);
    vector<int> L(q), R(q);
    vector<vector<int>> byR(n + 1);
    for (int i = 0; i < q; i++) {
        scanf("%d %d", &L[i], &R[i]);
        byR[R[i]].push_back(i);
    }
    bit.assign(n + 1, 0);
    unordered_map<long long, pair<int, int>> occ;  // color -> (last, second to last)
    occ.reserve(n * 2);
    vector<int> ans(q);
    for (int r = 1; r <= n; r++) {
        auto& o = occ[c[r]];
        add(r, 1);
        if (o.first) {
            add(o.first, -2);
            if (o.second) add(o.second, 1);
        }
        o.second = o.first;
        o.first = r;
        for (int qi : byR[r]) ans[qi] = prefix(r) - prefix(L[qi] - 1);
    }
    string out;
    char buf[16];
    for (int i = 0; i < q; i++) {
        snprintf(buf, sizeof buf, "%d\n", ans[i]);
        out += buf;
    }
    fputs(out.c_str(), stdout);
    return 0;
}
