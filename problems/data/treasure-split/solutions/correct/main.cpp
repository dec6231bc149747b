#include <bits/stdc++.h>
using namespace std;

const int MAXS = 1000000;
bitset<MAXS + 1> reach;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<int> v(n);
    long long total = 0;
    for (auto& x : v) {
        scanf("%d", &x);
        total += x;
    }
    reach[0] = 1;
    for (int x : v) reach |= reach << x;
    long long half = total / 2;
    long long best = 0;
    for (long long s = half; s >= 0; s--)
        if (reach[s]) { best = s; break; }
    printf("%lld\n", total - 2 * best);
    return 0;
}
