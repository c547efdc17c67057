// libnuma through dlopen: see "NUMA" in CTaskletsShims.h.
// _GNU_SOURCE comes from Package.swift's cSettings.
#include "CTaskletsShims.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct bitmask;

// The libnuma entry points the shim uses, as function-pointer types.
typedef int (*ctasklets_numa_available_fn)(void);
typedef int (*ctasklets_numa_max_node_fn)(void);
typedef void *(*ctasklets_numa_alloc_onnode_fn)(size_t size, int node);
typedef void (*ctasklets_numa_free_fn)(void *start, size_t size);
typedef long long (*ctasklets_numa_node_size64_fn)(int node, long long *freep);
typedef struct bitmask *(*ctasklets_numa_parse_nodestring_fn)(const char *string);
typedef void (*ctasklets_numa_bitmask_free_fn)(struct bitmask *mask);

#if __has_include(<numa.h>)
// Where libnuma-dev is installed, check the shim's types against numa.h, so a
// changed prototype fails the build instead of corrupting a call.
#include <numa.h>
#define CTASKLETS_SAME_TYPE(fn, type) \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&fn), type), #fn " does not match numa.h")
CTASKLETS_SAME_TYPE(numa_available, ctasklets_numa_available_fn);
CTASKLETS_SAME_TYPE(numa_max_node, ctasklets_numa_max_node_fn);
CTASKLETS_SAME_TYPE(numa_alloc_onnode, ctasklets_numa_alloc_onnode_fn);
CTASKLETS_SAME_TYPE(numa_free, ctasklets_numa_free_fn);
CTASKLETS_SAME_TYPE(numa_node_size64, ctasklets_numa_node_size64_fn);
CTASKLETS_SAME_TYPE(numa_parse_nodestring, ctasklets_numa_parse_nodestring_fn);
CTASKLETS_SAME_TYPE(numa_bitmask_free, ctasklets_numa_bitmask_free_fn);
CTASKLETS_SAME_TYPE(numa_warn, void (*)(int, char *, ...));
CTASKLETS_SAME_TYPE(numa_error, void (*)(char *));
#endif

// MARK: - Silencing libnuma

static atomic_long silenced_messages;

// libnuma prints through these two weak symbols. These strong definitions
// replace them wherever the binary exports its symbols; for an executable
// that does not (Swift does not link with --export-dynamic), `patch_slots`
// below points libnuma's own GOT entries at them after dlopen.
void numa_warn(int number, char *format, ...) {
    (void)number;
    (void)format;
    atomic_fetch_add(&silenced_messages, 1);
}

void numa_error(char *where) {
    (void)where;
    atomic_fetch_add(&silenced_messages, 1);
}

long ctasklets_numa_silenced_messages(void) {
    return atomic_load(&silenced_messages);
}

#if (defined(__x86_64__) || defined(__aarch64__)) && defined(__LP64__)
// Writes `value` into the GOT slot at `slot`, making its page writable first
// when RELRO made it read-only.
static int write_slot(void **slot, void *value) {
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) return 0;
    uintptr_t start = (uintptr_t)slot & ~((uintptr_t)page - 1);
    if (mprotect((void *)start, (size_t)page, PROT_READ | PROT_WRITE) != 0) return 0;
    __atomic_store_n(slot, value, __ATOMIC_RELEASE);
    return 1;
}

// Points libnuma's relocations of numa_warn/numa_error at ours. Returns how
// many slots now point at our functions.
static int patch_slots(void *handle) {
    struct link_map *map = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == NULL || map->l_ld == NULL) return 0;
    const ElfW(Sym) *symbols = NULL;
    const char *strings = NULL;
    const ElfW(Rela) *tables[2] = { NULL, NULL };
    size_t sizes[2] = { 0, 0 };
    for (const ElfW(Dyn) *entry = map->l_ld; entry->d_tag != DT_NULL; entry++) {
        switch (entry->d_tag) {
        case DT_SYMTAB: symbols = (const ElfW(Sym) *)entry->d_un.d_ptr; break;
        case DT_STRTAB: strings = (const char *)entry->d_un.d_ptr; break;
        case DT_JMPREL: tables[0] = (const ElfW(Rela) *)entry->d_un.d_ptr; break;
        case DT_PLTRELSZ: sizes[0] = entry->d_un.d_val; break;
        case DT_RELA: tables[1] = (const ElfW(Rela) *)entry->d_un.d_ptr; break;
        case DT_RELASZ: sizes[1] = entry->d_un.d_val; break;
        default: break;
        }
    }
    if (symbols == NULL || strings == NULL) return 0;
    int patched = 0;
    for (int t = 0; t < 2; t++) {
        if (tables[t] == NULL) continue;
        for (size_t i = 0; i < sizes[t] / sizeof(ElfW(Rela)); i++) {
            const ElfW(Rela) *rela = &tables[t][i];
            size_t index = ELF64_R_SYM(rela->r_info);
            if (index == 0) continue;
            const char *name = strings + symbols[index].st_name;
            void *replacement = NULL;
            if (strcmp(name, "numa_warn") == 0) replacement = (void *)&numa_warn;
            else if (strcmp(name, "numa_error") == 0) replacement = (void *)&numa_error;
            if (replacement == NULL) continue;
            patched += write_slot((void **)(map->l_addr + rela->r_offset), replacement);
        }
    }
    return patched;
}
#else
static int patch_slots(void *handle) { (void)handle; return 0; }
#endif

// MARK: - Loading

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_status = CTASKLETS_NUMA_NOT_LOADED;
static int patched_slots = 0;
static char load_message[256];
static ctasklets_numa_available_fn p_available;
static ctasklets_numa_max_node_fn p_max_node;
static ctasklets_numa_alloc_onnode_fn p_alloc_onnode;
static ctasklets_numa_free_fn p_free;
static ctasklets_numa_node_size64_fn p_node_size64;
static ctasklets_numa_parse_nodestring_fn p_parse_nodestring;
static ctasklets_numa_bitmask_free_fn p_bitmask_free;

static void load(void) {
    dlerror();
    void *handle = dlopen("libnuma.so.1", RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *message = dlerror();
        snprintf(load_message, sizeof load_message, "%s", message ? message : "dlopen failed");
        load_status = CTASKLETS_NUMA_LIBRARY_MISSING;
        return;
    }
    patched_slots = patch_slots(handle);
    p_available = (ctasklets_numa_available_fn)dlsym(handle, "numa_available");
    p_max_node = (ctasklets_numa_max_node_fn)dlsym(handle, "numa_max_node");
    p_alloc_onnode = (ctasklets_numa_alloc_onnode_fn)dlsym(handle, "numa_alloc_onnode");
    p_free = (ctasklets_numa_free_fn)dlsym(handle, "numa_free");
    p_node_size64 = (ctasklets_numa_node_size64_fn)dlsym(handle, "numa_node_size64");
    p_parse_nodestring = (ctasklets_numa_parse_nodestring_fn)dlsym(handle, "numa_parse_nodestring");
    p_bitmask_free = (ctasklets_numa_bitmask_free_fn)dlsym(handle, "numa_bitmask_free");
    if (!p_available || !p_max_node || !p_alloc_onnode || !p_free || !p_node_size64) {
        snprintf(load_message, sizeof load_message, "libnuma.so.1 lacks a needed symbol");
        load_status = CTASKLETS_NUMA_SYMBOL_MISSING;
        return;  // the handle stays open: its constructor already ran
    }
    if (p_available() < 0) {
        snprintf(load_message, sizeof load_message, "numa_available() returned -1");
        load_status = CTASKLETS_NUMA_UNAVAILABLE;
        return;
    }
    load_status = CTASKLETS_NUMA_LOADED;
}

int ctasklets_numa_load(void) {
    pthread_once(&load_once, load);
    return load_status;
}

const char *ctasklets_numa_load_message(void) {
    pthread_once(&load_once, load);
    return load_message;
}

int ctasklets_numa_patched_slots(void) {
    pthread_once(&load_once, load);
    return patched_slots;
}

// MARK: - Probing memory policy

int ctasklets_numa_memory_policy_errno(void) {
    int mode = 0;
    if (syscall(SYS_get_mempolicy, &mode, NULL, 0UL, NULL, 0UL) != 0) return errno;
    // get_mempolicy alone can be allowed while mbind is not: bind one private
    // page with MPOL_DEFAULT (mode 0), which changes nothing.
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) page = 4096;
    void *memory = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return errno;
    int result = 0;
    if (syscall(SYS_mbind, memory, (unsigned long)page, 0, NULL, 0UL, 0U) != 0) result = errno;
    munmap(memory, (size_t)page);
    return result;
}

// MARK: - Calls

int ctasklets_numa_max_node(void) {
    return ctasklets_numa_load() == CTASKLETS_NUMA_LOADED ? p_max_node() : -1;
}

long long ctasklets_numa_node_size(int node) {
    if (ctasklets_numa_load() != CTASKLETS_NUMA_LOADED) return -1;
    if (node < 0 || node > p_max_node()) return -1;
    return p_node_size64(node, NULL);
}

void *ctasklets_numa_alloc_onnode(size_t size, int node) {
    if (ctasklets_numa_load() != CTASKLETS_NUMA_LOADED) return NULL;
    // numa_alloc_onnode returns unbound memory for a nonexistent node.
    if (node < 0 || node > p_max_node() || p_node_size64(node, NULL) <= 0) return NULL;
    return p_alloc_onnode(size, node);
}

void ctasklets_numa_free(void *start, size_t size) {
    if (start != NULL && ctasklets_numa_load() == CTASKLETS_NUMA_LOADED) p_free(start, size);
}

int ctasklets_numa_provoke_warning(void) {
    if (ctasklets_numa_load() != CTASKLETS_NUMA_LOADED || !p_parse_nodestring) return -1;
    struct bitmask *mask = p_parse_nodestring("not-a-node-list");
    if (mask != NULL && p_bitmask_free) p_bitmask_free(mask);
    return 0;
}
