package io.lhttp.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The memory mode's reading of {@code jcmd GC.heap_info}: answers as JDK 17 prints them for each collector. */
class HeapReadingTest {

    @Test
    void g1() {
        assertEquals(1104106, HeapReading.usedKb("""
                9941:
                 garbage-first heap   total 2097152K, used 1104106K [0x0000000080000000, 0x0000000100000000)
                  region size 1024K, 742 young (759808K), 24 survivors (24576K)
                 Metaspace       used 90857K, committed 91648K, reserved 1179648K
                  class space    used 11461K, committed 11840K, reserved 1048576K
                """));
    }

    @Test
    void parallelAddsBothGenerationsNotTheirSpacesNorMetaspace() {
        assertEquals(18350 + 4321, HeapReading.usedKb("""
                 PSYoungGen      total 76288K, used 18350K [0x00000000fab00000, 0x0000000100000000, 0x0000000100000000)
                  eden space 65536K, 28% used [0x00000000fab00000,0x00000000fbcebb50,0x00000000feb00000)
                  from space 10752K, 0% used [0x00000000ff580000,0x00000000ff580000,0x0000000100000000)
                  to   space 10752K, 0% used [0x00000000feb00000,0x00000000feb00000,0x00000000ff580000)
                 ParOldGen       total 175104K, used 4321K [0x00000000f0000000, 0x00000000fab00000, 0x00000000fab00000)
                  object space 175104K, 2% used [0x00000000f0000000,0x00000000f0000000,0x00000000fab00000)
                 Metaspace       used 8907K, committed 9088K, reserved 1114112K
                  class space    used 1062K, committed 1152K, reserved 1048576K
                """));
    }

    @Test
    void serial() {
        assertEquals(17045 + 100, HeapReading.usedKb("""
                 def new generation   total 78656K, used 17045K [0x00000000f0000000, 0x00000000f5550000, 0x00000000f5550000)
                  eden space 69952K,  24% used [0x00000000f0000000, 0x00000000f10a5500, 0x00000000f4450000)
                 tenured generation   total 174784K, used 100K [0x00000000f5550000, 0x0000000100000000, 0x0000000100000000)
                   the space 174784K,   0% used [0x00000000f5550000, 0x00000000f5550000, 0x00000000f5550200, 0x0000000100000000)
                 Metaspace       used 8953K, committed 9152K, reserved 1114112K
                """));
    }

    @Test
    void zgcInMegabytes() {
        assertEquals(20 * 1024, HeapReading.usedKb("""
                 ZHeap           used 20M, capacity 256M, max capacity 256M
                 Metaspace       used 8899K, committed 9088K, reserved 1114112K
                """));
    }

    @Test
    void anAnswerWithoutAHeapIsAnErrorNotZero() {
        assertThrows(IllegalArgumentException.class, () -> HeapReading.usedKb("""
                9941:
                 Metaspace       used 8899K, committed 9088K, reserved 1114112K
                """));
        assertThrows(
                IllegalArgumentException.class,
                () -> HeapReading.usedKb("com.sun.tools.attach.AttachNotSupportedException"));
    }
}
