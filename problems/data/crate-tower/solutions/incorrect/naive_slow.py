import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    crates = sorted((int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n))
    best = [1] * n
    for j in range(n):
        wj, gj = crates[j]
        for i in range(j):
            if crates[i][0] < wj and crates[i][1] < gj and best[i] + 1 > best[j]:
                best[j] = best[i] + 1
    print(max(best))


main()
