#include <bits/stdc++.h>
using namespace std;
typedef long long ll;

int main() {
    int q;
    if (scanf("%d", &q) != 1) return 0;
    while (q--) {
        ll n, a, b;
        scanf("%lld %lld %lld", &n, &a, &b);
        ll g = __gcd(a, b);
        ll both;
        ll x = a / g;
        if (x > n / b) both = 0;  // lcm(a, b) = x * b > n
        else both = n / (x * b);
        printf("%lld\n", n - n / a - n / b + both);
    }
    return 0;
}
