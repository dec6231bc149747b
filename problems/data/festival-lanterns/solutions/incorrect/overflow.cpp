#include <bits/stdc++.h>
using namespace std;
typedef long long ll;

int main() {
    int q;
    scanf("%d", &q);
    while (q--) {
        ll n, a, b;
        scanf("%lld %lld %lld", &n, &a, &b);
        ll l = a / __gcd(a, b) * b;
        printf("%lld\n", n - n / a - n / b + n / l);
    }
    return 0;
}
