# Multi-stage build of the NativeAOT binary (bench/RESULTS.md: an eighth of the startup time and about half the
# memory of the framework-dependent build), so the runtime image needs no .NET runtime. The runtime image runs as
# a non-root user; give it the host's view and the capabilities it needs (see README, "Running in a container").
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# NativeAOT links with clang and zlib; only this stage needs them (a plain `dotnet build` does not).
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/PortExporter/PortExporter.csproj -c Release -p:Aot=true -o /out

# runtime-deps: the same distribution and glibc as the SDK image, with the native libraries .NET needs, no runtime.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
RUN apt-get update && apt-get install -y --no-install-recommends nftables iptables libcap2-bin \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home --shell /usr/sbin/nologin port-exporter
# The binary alone: the debug symbols (port-exporter.dbg) and pdb stay in the build stage.
COPY --from=build /out/port-exporter /app/port-exporter
# A non-root container gets no ambient capabilities: give them to the files. The exporter reads rulesets
# (CAP_NET_ADMIN, also on the tools it runs, as children do not inherit) and other users' /proc/PID/fd
# (CAP_DAC_READ_SEARCH + CAP_SYS_PTRACE). See deploy/README.md.
RUN setcap cap_net_admin,cap_dac_read_search,cap_sys_ptrace+ep /app/port-exporter \
    && setcap cap_net_admin+ep "$(readlink -f /usr/sbin/nft)" \
    && setcap cap_net_admin+ep "$(readlink -f /usr/sbin/iptables-save)"
USER port-exporter
EXPOSE 10070
ENTRYPOINT ["/app/port-exporter"]
CMD ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"]
