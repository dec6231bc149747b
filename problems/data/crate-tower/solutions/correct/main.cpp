#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<pair<long long, long long>> c(n);
    for (auto& p : c) scanf("%lld %lld", &p.first, &p.second);
    sort(c.begin(), c.end(), [](const pair<long long, long long>& a, const pair<long long, long long>& b) {
        if (a.first != b.first) return a.first < b.first;
        return a.second > b.second;
    });
    vector<long long> tails;
    for (auto& p : c) {
        auto it = lower_bound(tails.begin(), tails.end(), p.second);
        if (it == tails.end()) tails.push_back(p.second);
        else *it = p.second;
    }
    printf("%d\n", (int)tails.size());
    return 0;
}
