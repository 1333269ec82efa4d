"""Builds the waferscope module for `pip install --no-build-isolation .`: CMake builds src/python/module.cpp (the
same target as `make python`) and the wheel gets it, python/waferscope/*.py and a copy of catalog/. Offline: the
C++ libraries come from Debian packages (`make deps`), setuptools and wheel from python3-setuptools/python3-wheel.

The CMake build folder is ./build when `make` has configured one (its objects are reused), else ./build-pip
(tests off); WAFERSCOPE_BUILD_DIR picks another."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = Path(os.environ.get("WAFERSCOPE_BUILD_DIR") or
                     (ROOT / "build" if (ROOT / "build" / "CMakeCache.txt").exists() else ROOT / "build-pip"))
        configure = ["cmake", "-S", str(ROOT), "-B", str(build), "-DWAFERSCOPE_PYTHON=ON",
                     f"-DPython_EXECUTABLE={sys.executable}"]
        if not (build / "CMakeCache.txt").exists():
            configure += ["-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DWAFERSCOPE_TESTS=OFF"]
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build), "--target", "waferscope_python", "-j", str(os.cpu_count() or 2)],
                       check=True)
        built = next((build / "python" / "waferscope").glob("_waferscope*.so"))
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)
        if shutil.which("strip"):  # the build's debug information (~90 MB) stays in the build tree
            subprocess.run(["strip", "--strip-debug", str(target)], check=True)


class BuildPyWithCatalog(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "waferscope" / "catalog"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "catalog", target)


setup(ext_modules=[Extension("waferscope._waferscope", sources=[])],
      cmdclass={"build_ext": CMakeBuild, "build_py": BuildPyWithCatalog},
      options={"build": {"build_base": "build-pip/setuptools"}})
