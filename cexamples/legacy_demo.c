/*
 * legacy_demo.c - a NetX Duo POP3 client application in the vendor's classic
 * shape, compiled unchanged against nxpop3's include/:
 *
 *   main() starts the kernel with tx_kernel_enter(); ThreadX calls back
 *   tx_application_define() with the first unused memory, from which the
 *   application carves its client thread's stack, its packet pool, the IP
 *   instance's memory and the ARP cache; it creates the IP instance with the
 *   RAM network driver and enables ARP, TCP and ICMP. The client thread waits
 *   a second for the network, logs in (APOP requested), counts the mail,
 *   downloads every item packet by packet, printing each packet with
 *   printf("%s", packet_ptr -> nx_packet_prepend_ptr) as the vendor's samples
 *   do, deletes it (only with POP3_DELETE=1 on a host, so that a run against
 *   a real account keeps its mail), quits and deletes the client.
 *
 * The server address is hard-coded, as in firmware. To run it on a host
 * against another server, redirect it without an edit:
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

#define DEMO_STACK_SIZE         4096
#define CLIENT_ADDRESS          IP_ADDRESS(192, 168, 1, 2)
#define SERVER_ADDRESS          IP_ADDRESS(192, 168, 1, 10)
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

    /* Enable ARP and supply its cache memory, then TCP and ICMP. */
    status = nx_arp_enable(&client_ip, (void *)free_memory_pointer, ARP_CACHE_SIZE);
    free_memory_pointer = free_memory_pointer + ARP_CACHE_SIZE;
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
        printf("Error enabling ARP, TCP or ICMP: 0x%02x\n", status);
    }
}

void    demo_thread_entry(ULONG info)
{
UINT        status;
UINT        mail_item, number_mail_items;
UINT        final_packet;
ULONG       total_size, mail_item_size, bytes_retrieved, bytes_downloaded;
NX_PACKET   *packet_ptr;
CHAR        *user = LOCAL_USER_NAME;
CHAR        *password = LOCAL_PASSWORD;
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

    /* Let the IP instance come up. */
    tx_thread_sleep(NX_IP_PERIODIC_RATE);

    /* Create the client, connect and log in, asking for APOP. */
    status = nx_pop3_client_create(&demo_client, NX_TRUE, &client_ip, &client_packet_pool,
                                   SERVER_ADDRESS, SERVER_PORT, user, password);
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
