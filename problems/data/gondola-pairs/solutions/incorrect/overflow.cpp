#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, c;
    scanf("%d %d", &n, &c);
    vector<int> w(n);
    for (auto& x : w) scanf("%d", &x);
    sort(w.begin(), w.end());
    int i = 0, j = n - 1, ans = 0;
    while (i <= j) {
        int s = w[i] + w[j];
        if (i < j && s <= c) i++;
        j--;
        ans++;
    }
    printf("%d\n", ans);
    return 0;
}
