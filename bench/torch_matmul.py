"""PyTorch's float32 matmul (cuBLAS, TF32 off) on the GPU, for bench.py:
the best of five 4096³ products after three warm-ups, as key: value."""
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
n = 4096
a = torch.full((n, n), 0.5, device="cuda")
b = torch.full((n, n), 0.25, device="cuda")
for _ in range(3):
    c = a @ b
torch.cuda.synchronize()
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    c = a @ b
    torch.cuda.synchronize()
    best = min(best, time.perf_counter() - t)
print("device:", torch.cuda.get_device_name().replace(" ", "_"))
print("matmul4096_torch_f32_tflops:", 2 * n ** 3 / best / 1e12)
