// The models the zoo view offers, with the input each was designed for.
import * as sn from '../../src/index.js';

export interface ZooEntry {
  label: string;
  inputShape: number[];
  make: () => sn.nn.Module;
}

export const ZOO: Record<string, ZooEntry> = {
  lenet5: { label: 'LeNet-5 (1998)', inputShape: [1, 1, 32, 32], make: () => sn.models.lenet5() },
  alexnetOriginal: { label: 'AlexNet, 2012 paper (2 GPU groups, LRN)', inputShape: [1, 3, 227, 227], make: () => sn.models.alexnet({ variant: 'original' }) },
  alexnet: { label: 'AlexNet (torchvision)', inputShape: [1, 3, 224, 224], make: () => sn.models.alexnet() },
  vgg11: { label: 'VGG-11', inputShape: [1, 3, 224, 224], make: () => sn.models.vgg11() },
  vgg16: { label: 'VGG-16 (the lecture table)', inputShape: [1, 3, 224, 224], make: () => sn.models.vgg16() },
  vgg16bn: { label: 'VGG-16 with batch norm', inputShape: [1, 3, 224, 224], make: () => sn.models.vgg16({ batchNorm: true }) },
  googlenetOriginal: { label: 'GoogLeNet, 2014 paper (Table 1)', inputShape: [1, 3, 224, 224], make: () => sn.models.googlenet({ variant: 'original' }) },
  googlenet: { label: 'GoogLeNet (torchvision)', inputShape: [1, 3, 224, 224], make: () => sn.models.googlenet() },
  resnet18: { label: 'ResNet-18', inputShape: [1, 3, 224, 224], make: () => sn.models.resnet18() },
  resnet34: { label: 'ResNet-34', inputShape: [1, 3, 224, 224], make: () => sn.models.resnet34() },
  resnet50: { label: 'ResNet-50', inputShape: [1, 3, 224, 224], make: () => sn.models.resnet50() },
};
