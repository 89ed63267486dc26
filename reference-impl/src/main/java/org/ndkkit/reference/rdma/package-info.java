/**
 * Native binding layer of the reference provider: librdmacm.so.1 and libibverbs.so.1
 * (rdma-core 44.0, Debian 12, x86-64) through JNA 5.19.
 *
 * <h2>Layers</h2>
 * <ol>
 *   <li><b>Raw bindings</b> ({@code LibRdmaCm}, {@code LibIbverbs}, {@code LibC}, package-private):
 *       JNA <em>direct mapping</em> ({@code Native.register} on {@code static native} methods).
 *       Direct mapping was chosen over interface mapping for speed (no proxy, no reflection, no
 *       per-call argument boxing; close to plain JNI) and because it is the stricter of the two:
 *       only {@code Pointer} and primitives cross the boundary, so JNA never auto-reads or
 *       auto-writes a {@code Structure} behind the caller's back. Every struct pointer is a
 *       {@link com.sun.jna.Pointer}; structures are written/read explicitly. errno is captured by
 *       JNA after every call and read with {@code Native.getLastError()} only when the return
 *       value signals failure ({@code LastErrorException} is not used: it fires on any non-zero
 *       errno, which a successful call may leave behind).</li>
 *   <li><b>Struct mappings</b> ({@link org.ndkkit.reference.rdma.CmStructs},
 *       {@link org.ndkkit.reference.rdma.VerbsStructs},
 *       {@link org.ndkkit.reference.rdma.SocketStructs}) with C field names and JNA default
 *       alignment; constants ({@link org.ndkkit.reference.rdma.CmConstants},
 *       {@link org.ndkkit.reference.rdma.VerbsConstants},
 *       {@link org.ndkkit.reference.rdma.PosixConstants}, {@link org.ndkkit.reference.rdma.Errno})
 *       with C names. {@code StructLayoutTest} compiles {@code src/test/c/layout.c} against the
 *       installed headers and fails the build on any offset, size or constant that differs.</li>
 *   <li><b>Safety layer</b> ({@link org.ndkkit.reference.rdma.RdmaCm},
 *       {@link org.ndkkit.reference.rdma.Verbs} and the handle classes): argument checks before
 *       any native call that could dereference NULL or freed memory, errno turned into
 *       {@link org.ndkkit.reference.rdma.RdmaResult}, nothing native thrown.</li>
 * </ol>
 *
 * <h2>Inline functions</h2>
 * Not exported, re-implemented in Java: {@code rdma_get_local_addr}/{@code rdma_get_peer_addr}
 * ({@link org.ndkkit.reference.rdma.CmId#localAddress()}), {@code ibv_poll_cq},
 * {@code ibv_req_notify_cq}, {@code ibv_post_send}, {@code ibv_post_recv} (called through the
 * context's {@code ops} function pointers) and the {@code ibv_query_port} macro (through
 * {@code verbs_context->query_port}, falling back to the exported compat symbol).
 *
 * <h2>Who frees what</h2>
 * <table>
 *   <caption>Native memory ownership</caption>
 *   <tr><th>Object</th><th>Allocated by</th><th>Freed by</th><th>Notes</th></tr>
 *   <tr><td>event channel</td><td>{@code createEventChannel}</td>
 *       <td>{@code destroyEventChannel}</td><td>refused while ids use it</td></tr>
 *   <tr><td>rdma_cm_id</td><td>{@code createId}, or librdmacm for a CONNECT_REQUEST</td>
 *       <td>{@code destroyId}</td><td>refused while events for it are un-acked</td></tr>
 *   <tr><td>rdma_cm_event</td><td>{@code rdma_get_cm_event}</td><td>{@code ackCmEvent}</td>
 *       <td>{@link org.ndkkit.reference.rdma.CmEvent} is a full copy; ack at most once</td></tr>
 *   <tr><td>ibv_context of an id</td><td>librdmacm</td><td>never (librdmacm's device list)</td>
 *       <td>borrowed {@link org.ndkkit.reference.rdma.DeviceContext}</td></tr>
 *   <tr><td>ibv_context opened</td><td>{@code openDevice}</td><td>{@code closeDevice}</td>
 *       <td>after its PDs/CQs</td></tr>
 *   <tr><td>PD, CQ, QP, MR</td><td>{@code allocPd}, {@code createCq}, {@code createQp},
 *       {@code regMr}</td><td>{@code deallocPd}, {@code destroyCq}, {@code destroyQp},
 *       {@code deregMr}</td><td>children first; the MR keeps its Java {@code Memory} buffer
 *       reachable until deregistered</td></tr>
 *   <tr><td>sockaddr, option values, conn params, private data, out-parameters</td>
 *       <td>the calling thread's {@link org.ndkkit.reference.rdma.Scratch} block</td>
 *       <td>the scope's close (the block: the GC)</td><td>native code only uses them during the
 *       call</td></tr>
 *   <tr><td>QP attr structs</td><td>{@link org.ndkkit.reference.rdma.QpAttr} (one per QP) or a JNA
 *       {@code Structure}</td><td>the GC</td><td>kept reachable until the call returns</td></tr>
 * </table>
 */
package org.ndkkit.reference.rdma;
