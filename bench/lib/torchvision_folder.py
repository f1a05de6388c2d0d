# torchvision's side of bench/lib/photo-folder-bench.mjs: ImageFolder + DataLoader
# (PIL decoding) with the same AlexNet pipeline: Resize(256), RandomCrop(224),
# RandomHorizontalFlip, ToTensor, AlexNet's PCA lighting (the same fixed
# covariance), Normalize. argv: root num_workers batch_size. Prints JSON.
import json, sys, time, resource
import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

root, workers, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(1)
cov = torch.tensor([[0.066, 0.058, 0.051], [0.058, 0.061, 0.059], [0.051, 0.059, 0.069]])
eigval, eigvec = torch.linalg.eigh(cov)

def lighting(img):
    alpha = torch.randn(3) * 0.1
    return img + (eigvec @ (alpha * eigval)).view(3, 1, 1)

tf = transforms.Compose([transforms.Resize(256), transforms.RandomCrop(224), transforms.RandomHorizontalFlip(), transforms.ToTensor(),
                         transforms.Lambda(lighting), transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
loader = DataLoader(datasets.ImageFolder(root, tf), batch_size=batch, shuffle=True, num_workers=workers, drop_last=True, persistent_workers=False)
it = iter(loader)
next(it)  # warm-up: the workers start and decode the first batch
cpu0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.perf_counter()
images = 0
for x, y in it:
    images += x.shape[0]
dt = time.perf_counter() - t0
c1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = sum(b.ru_utime + b.ru_stime - (a.ru_utime + a.ru_stime) for a, b in zip(cpu0, c1))
print(json.dumps({'images': images, 'ips': images / dt, 'perCpu': images / cpu if cpu > 0 else 0}))
