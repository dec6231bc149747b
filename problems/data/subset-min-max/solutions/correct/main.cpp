#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
const ll MOD = 1000000007LL;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<ll> a(n);
    for (auto& x : a) scanf("%lld", &x);
    sort(a.begin(), a.end());
    ll s = 0, ans = 0;
    for (ll x : a) {
        ans = (ans + x % MOD * ((x + s) % MOD)) % MOD;
        s = (2 * s + x) % MOD;
    }
    printf("%lld\n", ans);
    return 0;
}
