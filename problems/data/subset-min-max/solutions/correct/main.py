import sys

MOD = 10**9 + 7


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = sorted(map(int, data[1:1 + n]))
    # s = sum over i < j of a_i * 2^(j - i - 1): the total of the minimums of all
    # subsets whose maximum is a_j, excluding the subset {a_j} itself
    s = 0
    ans = 0
    for x in a:
        ans = (ans + x * (x + s)) % MOD
        s = (2 * s + x) % MOD
    print(ans)


main()
