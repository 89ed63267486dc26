package org.ndkkit.reference.rdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;
import org.ndkkit.reference.rdma.CmStructs.RdmaCmEvent;

/**
 * {@link RdmaCm.EventFields} reads, from one copy of the event's bytes, what JNA's own structure
 * writes field by field (no rdma-core needed: the event is built in JNA memory).
 */
class EventFieldsTest {

    @Test
    void everyFieldComesBackAsTheStructureWroteIt() {
        Memory id = new Memory(8);
        Memory listen = new Memory(8);
        Memory data = new Memory(56);
        RdmaCmEvent ev = new RdmaCmEvent();
        ev.id = id;
        ev.listen_id = listen;
        ev.event = CmConstants.RDMA_CM_EVENT_CONNECT_REQUEST;
        ev.status = -110;
        ev.param.setType("conn");
        ev.param.conn.private_data = data;
        ev.param.conn.private_data_len = (byte) 200; // above 127: read unsigned
        ev.param.conn.responder_resources = 16;
        ev.param.conn.initiator_depth = 8;
        ev.param.conn.flow_control = 1;
        ev.param.conn.retry_count = 7;
        ev.param.conn.rnr_retry_count = (byte) 255;
        ev.param.conn.srq = 0;
        ev.param.conn.qp_num = 0x00ABCDEF;
        ev.write();

        RdmaCm.EventFields f = RdmaCm.EventFields.read(ev.getPointer());

        assertEquals(Pointer.nativeValue(id), f.id());
        assertEquals(Pointer.nativeValue(listen), f.listenId());
        assertEquals(CmConstants.RDMA_CM_EVENT_CONNECT_REQUEST, f.event());
        assertEquals(-110, f.status());
        assertEquals(Pointer.nativeValue(data), f.privateData());
        assertEquals(200, f.privateDataLen());
        assertEquals(16, f.responderResources());
        assertEquals(8, f.initiatorDepth());
        assertEquals(1, f.flowControl());
        assertEquals(7, f.retryCount());
        assertEquals(255, f.rnrRetryCount());
        assertEquals(0, f.srq());
        assertEquals(0x00ABCDEF, f.qpNum());
    }

    @Test
    void nullPointersReadAsZero() {
        RdmaCmEvent ev = new RdmaCmEvent();
        ev.event = CmConstants.RDMA_CM_EVENT_ADDR_RESOLVED;
        ev.param.setType("conn");
        ev.write();

        RdmaCm.EventFields f = RdmaCm.EventFields.read(ev.getPointer());

        assertEquals(0, f.id());
        assertEquals(0, f.listenId());
        assertEquals(0, f.privateData());
        assertEquals(0, f.privateDataLen());
        assertEquals(CmConstants.RDMA_CM_EVENT_ADDR_RESOLVED, f.event());
    }

    @Test
    void theSpanEndsWithinTheEvent() {
        // Reading SPAN bytes must never run past the native event librdmacm allocated.
        assertTrue(RdmaCm.EventFields.SPAN <= new RdmaCmEvent().size(),
                "span " + RdmaCm.EventFields.SPAN + " > sizeof(struct rdma_cm_event) " + new RdmaCmEvent().size());
    }
}
