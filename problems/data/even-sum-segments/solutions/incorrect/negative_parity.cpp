#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    long long cnt[2] = {1, 0};
    long long s = 0;
    for (int i = 0; i < n; i++) {
        long long a;
        scanf("%lld", &a);
        s += a;
        int p = (s % 2 == 1) ? 1 : 0;
        cnt[p]++;
    }
    printf("%lld\n", cnt[0] * (cnt[0] - 1) / 2 + cnt[1] * (cnt[1] - 1) / 2);
    return 0;
}
