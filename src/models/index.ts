// `sn.models`: the model zoo (API.md). Parameter names and counts equal torchvision's.
export { lenet5, LeNet5 } from './lenet.js';
export { alexnet, AlexNet } from './alexnet.js';
export { vgg11, vgg13, vgg16, vgg19, VGG, vggFeatures } from './vgg.js';
export { googlenet, GoogLeNet, Inception, BasicConv2d } from './googlenet.js';
export { resnet18, resnet34, resnet50, resnet101, resnet152, ResNet, BasicBlock, Bottleneck } from './resnet.js';
