/*
 * legacy_demo.c - a NetX Duo POP3 client application in the vendor's classic
 * shape, compiled unchanged against nxpop3's include/:
 *
 *   main() starts the kernel with tx_kernel_enter(); ThreadX calls back
 *   tx_application_define() with the first unused memory, from which the
 *   application carves its client thread's stack, its packet pool, the IP
 *   instance's memory and the ARP cache; it creates the IP instance with the
 *   RAM network driver and enables ARP, UDP, TCP and ICMP. The client thread
 *   waits for the link (nx_ip_status_check), resolves the server's name with
 *   the DNS client, logs in (APOP requested), counts the mail,
 *   downloads every item packet by packet, printing each packet with
 *   printf("%s", packet_ptr -> nx_packet_prepend_ptr) as the vendor's samples
 *   do, deletes it (only with POP3_DELETE=1 on a host, so that a run against
 *   a real account keeps its mail), quits and deletes the client.
 *
 * The server's name, the DNS server and a fallback address are hard-coded,
 * as in firmware; when the name does not resolve the demo says so and uses
 * the fallback address. On a host the DNS client is served by the host's
 * resolver, and POP3_SERVER_NAME and POP3_SERVER_PORT replace the name and
 * port (a host convenience):
 *
 *   POP3_SERVER_NAME=localhost POP3_SERVER_PORT=1110 build/bin/legacy_demo
 *
 * or, whatever the name resolves to, redirect the connection without an edit:
 *
 *   NXPOP3_CONNECT_TO=127.0.0.1:1110 build/bin/legacy_demo
 *
 * The account is hard-coded too; POP3_USER and POP3_PASSWORD, when set,
 * replace it (a host convenience: firmware has no environment).
 *
 * On a host tx_kernel_enter returns once the client thread has finished, and
 * main returns the thread's result: 0 when every step succeeded. On the
 * target tx_kernel_enter never returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tx_api.h"
#include "nx_api.h"
#include "nx_pop3_client.h"
#include "nxd_dns.h"

#define DEMO_STACK_SIZE         4096
#define CLIENT_ADDRESS          IP_ADDRESS(192, 168, 1, 2)
#define SERVER_NAME             "pop3.example.com"
#define SERVER_ADDRESS          IP_ADDRESS(192, 168, 1, 10)
#define DNS_SERVER_ADDRESS      IP_ADDRESS(192, 168, 1, 1)
#define SERVER_PORT             110
#define LOCAL_USER_NAME         "testuser"
#define LOCAL_PASSWORD          "testpwd"
#define PAYLOAD_SIZE            1514
#define NX_PACKET_POOL_SIZE     ((PAYLOAD_SIZE + sizeof(NX_PACKET)) * 10)
#define IP_MEMORY_SIZE          2048
#define ARP_CACHE_SIZE          1024

TX_THREAD           demo_client_thread;
NX_PACKET_POOL      client_packet_pool;
NX_IP               client_ip;
NX_POP3_CLIENT      demo_client;
NX_DNS              demo_dns;

/* What the client thread reports; main returns it on a host. */
static int          demo_result = 1;

/* The vendor's samples declare the driver themselves. */
void    _nx_ram_network_driver(NX_IP_DRIVER *driver_req_ptr);
void    demo_thread_entry(ULONG info);

int main(void)
{
    /* Enter the ThreadX kernel. */
    tx_kernel_enter();
    return demo_result;
}

void    tx_application_define(void *first_unused_memory)
{
UINT    status;
UCHAR   *free_memory_pointer;

    free_memory_pointer = (UCHAR *)first_unused_memory;

    /* Create the client thread. */
    status = tx_thread_create(&demo_client_thread, "Demo Client", demo_thread_entry, 0,
                              free_memory_pointer, DEMO_STACK_SIZE, 1, 1,
                              TX_NO_TIME_SLICE, TX_AUTO_START);
    if (status != TX_SUCCESS)
    {
        printf("Error creating client thread: 0x%02x\n", status);
        return;
    }
    free_memory_pointer = free_memory_pointer + DEMO_STACK_SIZE;

    /* Initialize the NetX system. */
    nx_system_initialize();

    /* Create the client packet pool. */
    status = nx_packet_pool_create(&client_packet_pool, "POP3 Client Packet Pool", PAYLOAD_SIZE,
                                   free_memory_pointer, NX_PACKET_POOL_SIZE);
    if (status != NX_SUCCESS)
    {
        printf("Error creating packet pool: 0x%02x\n", status);
        return;
    }
    free_memory_pointer = free_memory_pointer + NX_PACKET_POOL_SIZE;

    /* Create the client IP instance. */
    status = nx_ip_create(&client_ip, "POP3 Client IP Instance", CLIENT_ADDRESS, 0xFFFFFF00UL,
                          &client_packet_pool, _nx_ram_network_driver, free_memory_pointer,
                          IP_MEMORY_SIZE, 1);
    if (status != NX_SUCCESS)
    {
        printf("Error creating IP instance: 0x%02x\n", status);
        return;
    }
    free_memory_pointer = free_memory_pointer + IP_MEMORY_SIZE;

    /* Enable ARP and supply its cache memory, then UDP (for DNS), TCP and
     * ICMP. */
    status = nx_arp_enable(&client_ip, (void *)free_memory_pointer, ARP_CACHE_SIZE);
    free_memory_pointer = free_memory_pointer + ARP_CACHE_SIZE;
    if (status == NX_SUCCESS)
    {
        status = nx_udp_enable(&client_ip);
    }
    if (status == NX_SUCCESS)
    {
        status = nx_tcp_enable(&client_ip);
    }
    if (status == NX_SUCCESS)
    {
        status = nx_icmp_enable(&client_ip);
    }
    if (status != NX_SUCCESS)
    {
        printf("Error enabling ARP, UDP, TCP or ICMP: 0x%02x\n", status);
    }
}

void    demo_thread_entry(ULONG info)
{
UINT        status;
UINT        mail_item, number_mail_items;
UINT        final_packet;
ULONG       total_size, mail_item_size, bytes_retrieved, bytes_downloaded;
ULONG       actual_status, server_ip = SERVER_ADDRESS, server_port = SERVER_PORT;
NX_PACKET   *packet_ptr;
CHAR        *user = LOCAL_USER_NAME;
CHAR        *password = LOCAL_PASSWORD;
CHAR        *server_name = SERVER_NAME;
UINT        delete_items = NX_FALSE;

    NX_PARAMETER_NOT_USED(info);

    if (getenv("POP3_USER") != NX_NULL)
    {
        user = getenv("POP3_USER");
    }
    if (getenv("POP3_PASSWORD") != NX_NULL)
    {
        password = getenv("POP3_PASSWORD");
    }
    if (getenv("POP3_DELETE") != NX_NULL && strcmp(getenv("POP3_DELETE"), "1") == 0)
    {
        delete_items = NX_TRUE;
    }

    if (getenv("POP3_SERVER_NAME") != NX_NULL)
    {
        server_name = getenv("POP3_SERVER_NAME");
    }
    if (getenv("POP3_SERVER_PORT") != NX_NULL)
    {
        server_port = strtoul(getenv("POP3_SERVER_PORT"), NX_NULL, 10);
    }

    /* Wait up to a second for the link. */
    status = nx_ip_status_check(&client_ip, NX_IP_LINK_ENABLED, &actual_status, NX_IP_PERIODIC_RATE);
    if (status != NX_SUCCESS)
    {
        printf("Error: the link is down: 0x%02x\n", status);
        return;
    }

    /* Resolve the server's name; fall back to its configured address. */
    status = nx_dns_create(&demo_dns, &client_ip, (UCHAR *)"Demo DNS Client");
    if (status == NX_SUCCESS)
    {
        status = nx_dns_server_add(&demo_dns, DNS_SERVER_ADDRESS);
        if (status == NX_SUCCESS)
        {
            status = nx_dns_host_by_name_get(&demo_dns, (UCHAR *)server_name, &server_ip, 5 * NX_IP_PERIODIC_RATE);
        }
        nx_dns_delete(&demo_dns);
    }
    if (status == NX_SUCCESS)
    {
        printf("resolved %s to %lu.%lu.%lu.%lu\n", server_name, server_ip >> 24, (server_ip >> 16) & 0xFF,
               (server_ip >> 8) & 0xFF, server_ip & 0xFF);
    }
    else
    {
        server_ip = SERVER_ADDRESS;
        printf("DNS lookup of %s failed: 0x%02x; using %lu.%lu.%lu.%lu\n", server_name, status, server_ip >> 24,
               (server_ip >> 16) & 0xFF, (server_ip >> 8) & 0xFF, server_ip & 0xFF);
    }

    /* Create the client, connect and log in, asking for APOP. */
    status = nx_pop3_client_create(&demo_client, NX_TRUE, &client_ip, &client_packet_pool,
                                   server_ip, server_port, user, password);
    if (status != NX_SUCCESS)
    {
        printf("Error creating the POP3 client: 0x%02x\n", status);
        return;
    }

    status = nx_pop3_client_mail_items_get(&demo_client, &number_mail_items, &total_size);
    if (status != NX_SUCCESS)
    {
        printf("Error getting the mail count: 0x%02x\n", status);
        nx_pop3_client_delete(&demo_client);
        return;
    }
    printf("%u mail items, %lu octets\n", number_mail_items, total_size);

    for (mail_item = 1; mail_item <= number_mail_items; mail_item++)
    {
        status = nx_pop3_client_mail_item_size_get(&demo_client, mail_item, &mail_item_size);
        if (status == NX_SUCCESS)
        {
            status = nx_pop3_client_mail_item_get(&demo_client, mail_item, &mail_item_size);
        }
        if (status != NX_SUCCESS)
        {
            printf("Error getting mail item %u: 0x%02x\n", mail_item, status);
            nx_pop3_client_delete(&demo_client);
            return;
        }
        printf("--- mail item %u, %lu octets\n", mail_item, mail_item_size);

        bytes_downloaded = 0;
        final_packet = NX_FALSE;
        while (final_packet == NX_FALSE)
        {
            status = nx_pop3_client_mail_item_message_get(&demo_client, &packet_ptr, &bytes_retrieved, &final_packet);
            if (status != NX_SUCCESS)
            {
                printf("\nError downloading mail item %u: 0x%02x\n", mail_item, status);
                nx_pop3_client_delete(&demo_client);
                return;
            }
            if (bytes_retrieved != 0)
            {
                printf("%s", packet_ptr -> nx_packet_prepend_ptr);
            }
            bytes_downloaded += bytes_retrieved;
            nx_packet_release(packet_ptr);
        }
        printf("\n--- end of mail item %u, %lu bytes downloaded\n", mail_item, bytes_downloaded);

        if (delete_items)
        {
            status = nx_pop3_client_mail_item_delete(&demo_client, mail_item);
            if (status != NX_SUCCESS)
            {
                printf("Error deleting mail item %u: 0x%02x\n", mail_item, status);
                nx_pop3_client_delete(&demo_client);
                return;
            }
        }
    }

    /* QUIT commits the deletions. */
    status = nx_pop3_client_quit(&demo_client);
    nx_pop3_client_delete(&demo_client);
    if (status != NX_SUCCESS)
    {
        printf("Error quitting: 0x%02x\n", status);
        return;
    }
    printf("--- done\n");
    demo_result = 0;
}
