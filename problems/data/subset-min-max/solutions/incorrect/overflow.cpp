#include <bits/stdc++.h>
using namespace std;
const int MOD = 1000000007;

int main() {
    int n;
    scanf("%d", &n);
    vector<int> a(n);
    for (auto& x : a) scanf("%d", &x);
    sort(a.begin(), a.end());
    int s = 0;
    long long ans = 0;
    for (int x : a) {
        ans = (ans + (long long)x * ((x + s) % MOD)) % MOD;
        s = (2 * s + x) % MOD;
    }
    printf("%lld\n", ans);
    return 0;
}
