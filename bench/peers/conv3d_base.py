"""Benchmark peer of `npm run bench -- ae` (bench/ae.ts): the 3DConv-Base WAE train step of
src/models/ae/{conv3d-base,discriminators,wae-task}.ts written in PyTorch, so that the same model
and step can be timed through Debian's python3-torch (the same libtorch) in the same run.

Not part of the product: it exists only to measure the TypeScript engine against PyTorch.

usage: /usr/bin/python3 bench/peers/conv3d_base.py '<json>'
  json: {"input": [C, T, H, W], "model": {...resolved model config...}, "batch": B,
         "steps": N, "warmup": W, "threads": n, "lr": 1e-4, "clip": 5}
prints one JSON line: {"videos_per_s": ..., "videos_per_cpu_s": ..., "step_s": [...], "params": {...}, "torch": ...}
With "check": FILE.safetensors and "seed": S in the json, it loads the networks' weights
(`ae.*`, `disc_v.*`, `disc_z.*`) and the input `x` from FILE, seeds torch's generator with S and
prints the first step's loss figures instead (the same numbers the TypeScript step logs).
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def norm_groups(c, mx=32):
    for g in range(min(mx, c), 1, -1):
        if c % g == 0:
            return g
    return 1


class ConvNormAct3d(nn.Module):
    def __init__(self, cin, cout, kernel, stride=1, padding=0, transposed=False, norm='group', act='lrelu'):
        super().__init__()
        conv = nn.ConvTranspose3d if transposed else nn.Conv3d
        self.conv = conv(cin, cout, kernel, stride=stride, padding=padding, bias=(norm == 'none'))
        self.norm = nn.GroupNorm(norm_groups(cout), cout) if norm == 'group' else None
        self.act = act

    def forward(self, x):
        h = self.conv(x)
        if self.norm is not None:
            h = self.norm(h)
        if self.act == 'lrelu':
            return F.leaky_relu(h, 0.2)
        if self.act == 'relu':
            return F.relu(h)
        if self.act == 'silu':
            return F.silu(h)
        return h


def time_kernel(s):
    return (4, 1) if s == 2 else (3, 1)


class Conv3dBase(nn.Module):
    def __init__(self, inp, cfg):
        super().__init__()
        c, t, h, w = inp
        ch, ts = cfg['channels'], cfg['temporalStrides']
        S = len(ch)
        t_out = t
        for s in ts:
            t_out //= s
        self.bottleneck = (ch[-1], t_out, h >> S, w >> S)
        flat = ch[-1] * t_out * (h >> S) * (w >> S)
        self.output_act = cfg['outputAct']
        self.encoder = nn.ModuleList()
        for i, co in enumerate(ch):
            kt, pt = time_kernel(ts[i])
            self.encoder.append(ConvNormAct3d(c if i == 0 else ch[i - 1], co, (kt, 4, 4), (ts[i], 2, 2), (pt, 1, 1),
                                              norm='none' if i == 0 else 'group', act='lrelu'))
        self.to_moments = nn.Linear(flat, 2 * cfg['latentDim'])
        self.fc = nn.Linear(cfg['latentDim'], flat)
        self.fc_norm = nn.GroupNorm(norm_groups(ch[-1]), ch[-1])
        out_ch = lambda i: c if i == 0 else ch[i - 1]
        order = [S - 1 - k for k in range(S)]
        self.decoder = nn.ModuleList()
        for i in order:
            kt, pt = time_kernel(ts[i])
            last = i == 0
            self.decoder.append(ConvNormAct3d(ch[i], out_ch(i), (kt, 4, 4), (ts[i], 2, 2), (pt, 1, 1), transposed=True,
                                              norm='none' if last else 'group', act='none' if last else 'relu'))
        self.skips = nn.ModuleList([nn.Conv3d(ch[i], out_ch(i), 1) for i in order]) if cfg['decoderSkips'] else None

    def posterior(self, x):
        h = x * 2 - 1
        for stage in self.encoder:
            h = stage(h)
        mean, logvar = torch.chunk(self.to_moments(h.flatten(1)), 2, dim=1)
        return mean.contiguous(), logvar.clamp(-30, 20)

    def decode_raw(self, z):
        h = F.relu(self.fc_norm(self.fc(z).view(z.shape[0], *self.bottleneck)))
        for k, stage in enumerate(self.decoder):
            y = stage(h)
            if self.skips is not None:
                y = y + F.interpolate(self.skips[k](h), size=y.shape[2:], mode='nearest')
            h = y
        return torch.tanh(h) if self.output_act == 'tanh' else h


class PatchDisc3d(nn.Module):
    def __init__(self, cin, channels, layers):
        super().__init__()
        widths = [channels * min(2 ** j, 8) for j in range(layers + 1)]
        self.layers = nn.ModuleList([ConvNormAct3d(cin if j == 0 else widths[j - 1], wj, 4, 2 if j < layers else 1, 2,
                                                   norm='none' if j == 0 else 'group', act='lrelu')
                                     for j, wj in enumerate(widths)])
        self.out = nn.Conv3d(widths[-1], 1, 4, padding=2)

    def forward(self, x):
        feats = []
        h = x
        for layer in self.layers:
            h = layer(h)
            feats.append(h)
        return self.out(h), feats


class MultiscalePatchDiscriminator3d(nn.Module):
    def __init__(self, cin, channels, layers, scales):
        super().__init__()
        self.scales = nn.ModuleList([PatchDisc3d(cin, channels, layers) for _ in range(scales)])

    def forward(self, x):
        logits, feats = [], []
        inp = x
        for s, d in enumerate(self.scales):
            if s > 0:
                inp = F.avg_pool3d(inp, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1), count_include_pad=False)
            l, f = d(inp)
            logits.append(l)
            feats.extend(f)
        return logits, feats


class LatentDiscriminator(nn.Module):
    def __init__(self, dim, hidden, layers):
        super().__init__()
        self.hidden = nn.ModuleList([nn.Linear(dim if j == 0 else hidden, hidden) for j in range(layers)])
        self.out = nn.Linear(hidden, 1)

    def forward(self, z):
        h = z.flatten(1)
        for l in self.hidden:
            h = F.leaky_relu(l(h), 0.2)
        return self.out(h), h


def bce(logits, target):
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits) if target else torch.zeros_like(logits))


class Frozen:
    def __init__(self, m):
        self.m = m

    def __enter__(self):
        for p in self.m.parameters():
            p.requires_grad_(False)

    def __exit__(self, *a):
        for p in self.m.parameters():
            p.requires_grad_(True)


def train_step(ae, dv, dz, opts, x, L, clip):
    """wae-task.ts AeTask.trainStep: one forward, one backward of the summed losses, per-net clip + Adam."""
    mean, logvar = ae.posterior(x)
    z = mean + (0.5 * logvar).exp() * torch.randn_like(mean)
    raw = ae.decode_raw(z)
    y = (raw + 1) * 0.5
    l1 = F.l1_loss(y, x)
    loss_ae = l1 * L['l1Weight']
    if L['l2Weight'] > 0:
        loss_ae = loss_ae + F.mse_loss(y, x) * L['l2Weight']
    if L['klWeight'] > 0:
        kl = (mean.square() + logvar.exp() - 1 - logvar).sum() * (0.5 / mean.shape[0])
        loss_ae = loss_ae + kl * L['klWeight']
    disc = None
    if dv is not None:
        with Frozen(dv):
            fake_l, fake_f = dv(raw)
        real_l, real_f = dv(x * 2 - 1)
        faked_l, _ = dv(raw.detach())
        feat = torch.stack([F.l1_loss(f, r.detach()) for f, r in zip(fake_f, real_f)]).mean()
        adv = torch.stack([bce(l, 1) for l in fake_l]).mean()
        loss_ae = loss_ae + feat * L['featWeight'] + adv * L['advWeight']
        d_v = torch.stack([bce(r, 1) + bce(f, 0) for r, f in zip(real_l, faked_l)]).mean()
        disc = d_v * L['discWeight']
    if dz is not None:
        prior = torch.randn_like(z) * L['priorStd']
        with Frozen(dz):
            _, codes_f = dz(z)
        real_l, real_f = dz(prior)
        faked_l, _ = dz(z.detach())
        lat = F.mse_loss(codes_f.mean(0), real_f.mean(0).detach())
        loss_ae = loss_ae + lat * L['latentWeight']
        d_z = bce(real_l, 1) + bce(faked_l, 0)
        disc = d_z * L['discWeight'] if disc is None else disc + d_z * L['discWeight']
    total = loss_ae if disc is None else loss_ae + disc
    total.backward()
    out = {'l1': l1.item(), 'loss': loss_ae.item()}
    if dv is not None:
        out.update(feat=feat.item(), adv=adv.item(), d_v=d_v.item())
    if dz is not None:
        out.update(lat=lat.item(), d_z=d_z.item())
    for name, m in [('ae', ae), ('disc_v', dv), ('disc_z', dz)]:
        if m is None:
            continue
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(m.parameters(), clip)
        opts[name].step()
    for m in (ae, dv, dz):
        if m is not None:
            m.zero_grad(set_to_none=True)
    return out


SAFE_DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I64': torch.int64, 'I32': torch.int32, 'U8': torch.uint8}


def read_safetensors(path):
    """The tensors of a safetensors file (8-byte little-endian header length, JSON header, data)."""
    with open(path, 'rb') as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], 'little')
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for k, e in header.items():
        if k == '__metadata__':
            continue
        b, end = e['data_offsets']
        out[k] = torch.frombuffer(bytearray(data[b:end]), dtype=SAFE_DTYPES[e['dtype']]).reshape(e['shape'])
    return out


def main():
    a = json.loads(sys.argv[1])
    if a['model'].get('discStart', 0) != 0:
        sys.exit('conv3d_base.py: discStart must be 0 (every timed step trains all three networks)')
    torch.set_num_threads(int(a['threads']))
    torch.manual_seed(0)
    cfg, inp, B = a['model'], a['input'], int(a['batch'])
    ae = Conv3dBase(inp, cfg)
    dv = MultiscalePatchDiscriminator3d(inp[0], cfg['discChannels'], cfg['discLayers'], cfg['discScales']) \
        if cfg['featWeight'] > 0 or cfg['advWeight'] > 0 else None
    dz = LatentDiscriminator(cfg['latentDim'], cfg['latentDiscHidden'], cfg['latentDiscLayers']) if cfg['latentWeight'] > 0 else None
    nets = {'ae': ae, 'disc_v': dv, 'disc_z': dz}
    # torch 1.13's Adam defaults to the single-tensor path on CPU; the multi-tensor path matches
    # the TypeScript optimizer's _foreach_ kernels and is the faster of the two here.
    opts = {k: torch.optim.Adam(m.parameters(), lr=float(a['lr']), foreach=True) for k, m in nets.items() if m is not None}
    if 'check' in a:
        # Same weights, input and random stream as the TypeScript side: report the first step's figures.
        t = read_safetensors(a['check'])
        for k, m in nets.items():
            if m is not None:
                m.load_state_dict({n[len(k) + 1:]: v for n, v in t.items() if n.startswith(k + '.')})
        torch.manual_seed(int(a['seed']))
        print(json.dumps(train_step(ae, dv, dz, opts, t['x'], cfg, a['clip'])))
        return
    x = torch.rand(B, *inp)
    for _ in range(int(a['warmup'])):
        train_step(ae, dv, dz, opts, x, cfg, a['clip'])
    times, cpus = [], []
    for _ in range(int(a['steps'])):
        t0, c0 = time.perf_counter(), time.process_time()
        train_step(ae, dv, dz, opts, x, cfg, a['clip'])
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    med = sorted(times)[len(times) // 2]
    med_cpu = sorted(cpus)[len(cpus) // 2]
    params = {k: sum(p.numel() for p in m.parameters()) for k, m in nets.items() if m is not None}
    print(json.dumps({'videos_per_s': B / med, 'videos_per_cpu_s': B / med_cpu, 'step_s': times, 'params': params, 'torch': torch.__version__,
                      'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()
