# torchvision's side of bench/lib/photo-folder-bench.mjs: ImageFolder + DataLoader
# (PIL decoding) with the same AlexNet pipeline: Resize(256), RandomCrop(224),
# RandomHorizontalFlip, ToTensor, AlexNet's PCA lighting (the same fixed
# covariance), Normalize. argv: root num_workers batch_size [max_batches]. Prints JSON.
# As on simdnn's side, the first 2 batches per worker (DataLoader's prefetch_factor) are the
# warm-up; CPU time is this process's plus its worker processes' (read from /proc while they run).
import json, os, sys, time, resource
import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

root, workers, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
max_batches = int(sys.argv[4]) if len(sys.argv) > 4 else 1 << 30
torch.set_num_threads(1)
cov = torch.tensor([[0.066, 0.058, 0.051], [0.058, 0.061, 0.059], [0.051, 0.059, 0.069]])
eigval, eigvec = torch.linalg.eigh(cov)

def lighting(img):
    alpha = torch.randn(3) * 0.1
    return img + (eigvec @ (alpha * eigval)).view(3, 1, 1)

tf = transforms.Compose([transforms.Resize(256), transforms.RandomCrop(224), transforms.RandomHorizontalFlip(), transforms.ToTensor(),
                         transforms.Lambda(lighting), transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
loader = DataLoader(datasets.ImageFolder(root, tf), batch_size=batch, shuffle=True, num_workers=workers, drop_last=True, prefetch_factor=2)
it = iter(loader)
tick = os.sysconf('SC_CLK_TCK')

def cpu_seconds():
    me = resource.getrusage(resource.RUSAGE_SELF)
    total = me.ru_utime + me.ru_stime
    for w in getattr(it, '_workers', []):
        with open(f'/proc/{w.pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total

warm = 2 * workers
for _ in range(warm):
    next(it)
cpu0, t0 = cpu_seconds(), time.perf_counter()
images = 0
for _ in range(warm, min(len(loader), max_batches)):
    images += next(it)[0].shape[0]
dt, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
print(json.dumps({'images': images, 'ips': images / dt, 'perCpu': images / cpu if cpu > 0 else 0}))
