// Where libtorch lives, for binding.gyp and the C++ benchmark. Prints one field per call:
//   node torch-config.mjs include|libdir|libs|ldflags|defines|describe
// Default: the system libtorch from Debian's libtorch-dev (/usr/include, multiarch lib dir).
// LIBTORCH=/path/to/libtorch selects another install (e.g. a CUDA build unpacked from
// pytorch.org), laid out as <LIBTORCH>/include and <LIBTORCH>/lib, like tch-rs does.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function torchConfig() {
  const root = process.env.LIBTORCH;
  let include, libdir;
  if (root) {
    include = [join(root, 'include'), join(root, 'include/torch/csrc/api/include')];
    libdir = join(root, 'lib');
  } else {
    include = ['/usr/include', '/usr/include/torch/csrc/api/include'];
    const multi = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];
    libdir = multi.find((d) => existsSync(join(d, 'libtorch_cpu.so'))) ?? multi[0];
  }
  const header = join(include[0], 'ATen/ATen.h');
  const found = existsSync(header) && existsSync(join(libdir, 'libtorch_cpu.so'));
  const libsPresent = existsSync(libdir) ? readdirSync(libdir) : [];
  const cuda = libsPresent.includes('libtorch_cuda.so');
  // --no-as-needed keeps libtorch_cpu/libtorch_cuda linked although we reference few of their
  // symbols directly: their static initialisers register the operators we call by name.
  const libs = ['-ltorch', '-ltorch_cpu', '-lc10', ...(cuda ? ['-ltorch_cuda', '-lc10_cuda'] : [])];
  const ldflags = [`-L${libdir}`, `-Wl,-rpath,${libdir}`, '-Wl,--no-as-needed', ...libs, '-Wl,--as-needed'];
  const defines = ['USE_C10D_GLOO', ...(cuda ? ['T2V_CUDA=1', 'T2V_NCCL=1', 'USE_C10D_NCCL'] : [])];
  return { root: root ?? null, include, libdir, libs, ldflags, defines, cuda, found, header };
}

if (process.argv[1] && process.argv[1].endsWith('torch-config.mjs')) {
  const c = torchConfig();
  const what = process.argv[2] ?? 'describe';
  if (what === 'include') console.log(c.include.join(' '));
  else if (what === 'libdir') console.log(c.libdir);
  else if (what === 'ldflags') console.log(c.ldflags.join(' '));
  else if (what === 'defines') console.log(c.defines.join(' '));
  else console.log(JSON.stringify(c, null, 2));
}
