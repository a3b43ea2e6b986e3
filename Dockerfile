# Multi-stage build of the NativeAOT binary (bench/RESULTS.md: an eighth of the startup time and about half the
# memory of the framework-dependent build), so the runtime image needs no .NET runtime. The runtime image runs as
# a non-root user; give it the host's view and the capabilities it needs (see deploy/README.md, "Capabilities").
#
# Release builds pin the base images by digest (a tag moves, a digest does not), both of the same .NET patch release
# (same distribution, same glibc). Look the digests up when .NET 10 is patched:
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/sdk:10.0 --format '{{json .Manifest.Digest}}'
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/runtime-deps:10.0 --format '{{json .Manifest.Digest}}'
# (or `skopeo inspect --format '{{.Digest}}' docker://mcr.microsoft.com/dotnet/sdk:10.0`), then build with
#   docker build --build-arg SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0@sha256:... \
#                --build-arg RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0@sha256:... .
# or commit them as the defaults below. Without them the build uses the moving tags (fine for a local build only).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0

FROM ${SDK_IMAGE} AS build
# NativeAOT links with clang and zlib; only this stage needs them (a plain `dotnet build` does not).
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# What the build needs and nothing else (.dockerignore keeps out build output, .git, tests, docs, the lab).
COPY .editorconfig Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/PortExporter/PortExporter.csproj -c Release -p:Aot=true -o /out

# runtime-deps: the same distribution and glibc as the SDK image, with the native libraries .NET needs, no runtime.
FROM ${RUNTIME_IMAGE}
RUN apt-get update && apt-get install -y --no-install-recommends nftables iptables ipset libcap2-bin \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home --shell /usr/sbin/nologin port-exporter
# The binary alone: the debug symbols (port-exporter.dbg) and pdb stay in the build stage.
COPY --from=build /out/port-exporter /app/port-exporter
# A non-root container keeps no capabilities across its execve except through file capabilities, so the binary
# carries the ones the exporter can use, permitted only ("+p", no effective bit): execve grants those the deployment
# allows (its bounding set, and with no_new_privs its permitted set) and never refuses to start for a missing one; the
# exporter makes them effective itself and logs what it holds and what is missing (deploy/README.md, "Capabilities").
# No tool gets file capabilities: iptables-*-save are links to one multi-call binary that would give every iptables
# command CAP_NET_ADMIN. The exporter gives its children (nft, iptables-*-save) CAP_NET_ADMIN as ambient capability.
RUN setcap cap_net_admin,cap_dac_read_search,cap_sys_ptrace+p /app/port-exporter
USER port-exporter
EXPOSE 10070
ENTRYPOINT ["/app/port-exporter"]
CMD ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"]
