import sys
import heapq


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    heap = []
    for i in range(n):
        w, t = int(data[2 + 2 * i]), int(data[3 + 2 * i])
        heap.append((w + t, t))
    heapq.heapify(heap)
    done = 0
    while True:
        time_, t = heapq.heappop(heap)
        done += 1
        if done == m:
            print(time_)
            return
        heapq.heappush(heap, (time_ + t, t))


main()
